#include "controllers/job/indexed_job_utils.h"

#include <gtest/gtest.h>

namespace kcpp::controllers {

TEST(IndexedJobUtils, FormatsCompressedRanges) {
  EXPECT_EQ(formatIndexes({}), "");
  EXPECT_EQ(formatIndexes({1}), "1");
  EXPECT_EQ(formatIndexes({1, 3, 4, 5, 7}), "1,3-5,7");
  EXPECT_EQ(formatIndexes({0, 1}), "0-1");
}

TEST(IndexedJobUtils, ParsesRangesWithinCompletions) {
  EXPECT_EQ(parseIndexes("1,3-5,7", 10), (std::set<std::int64_t>{1, 3, 4, 5, 7}));
  EXPECT_EQ(parseIndexes("1,3-5,7", 5), (std::set<std::int64_t>{1, 3, 4}));
  EXPECT_EQ(parseIndexes("x,2,-1,4-a", 10), (std::set<std::int64_t>{2}));
  EXPECT_TRUE(parseIndexes("", 3).empty());
}

TEST(IndexedJobUtils, ReadsThePodsIndex) {
  auto pod = boost::json::parse(
      R"({"metadata":{"annotations":{"batch.kubernetes.io/job-completion-index":"3"}}})").as_object();
  EXPECT_EQ(completionIndexOf(pod), 3);
  auto labelled = boost::json::parse(
      R"({"metadata":{"labels":{"batch.kubernetes.io/job-completion-index":"2"}}})").as_object();
  EXPECT_EQ(completionIndexOf(labelled), 2);
  auto bad = boost::json::parse(
      R"({"metadata":{"annotations":{"batch.kubernetes.io/job-completion-index":"-2"}}})").as_object();
  EXPECT_FALSE(completionIndexOf(bad).has_value());
}

TEST(IndexedJobUtils, PicksTheFirstPendingIndexes) {
  EXPECT_EQ(firstPendingIndexes({0, 2}, {1}, 2, 6), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(firstPendingIndexes({0, 1}, {2}, 5, 3), (std::vector<std::int64_t>{}));
}

}  // namespace kcpp::controllers
