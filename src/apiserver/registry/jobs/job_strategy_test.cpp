#include "apiserver/registry/jobs/job_strategy.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver {

TEST(JobStrategy, GeneratesSelectorAndTemplateLabels) {
  json::object job = json::parse(R"({"metadata":{"name":"pi","uid":"u-1"},
      "spec":{"template":{"metadata":{"labels":{"app":"pi"}},"spec":{}}}})").as_object();
  JobStrategy().prepareForCreate(job);
  const auto& labels = job["spec"].at("template").at("metadata").at("labels").as_object();
  EXPECT_EQ(labels.at("app"), "pi");
  EXPECT_EQ(labels.at("batch.kubernetes.io/controller-uid"), "u-1");
  EXPECT_EQ(labels.at("batch.kubernetes.io/job-name"), "pi");
  EXPECT_EQ(labels.at("controller-uid"), "u-1");
  EXPECT_EQ(labels.at("job-name"), "pi");
  EXPECT_EQ(job["spec"].at("selector"),
            json::parse(R"({"matchLabels":{"batch.kubernetes.io/controller-uid":"u-1"}})"));
}

TEST(JobStrategy, ManualSelectorIsLeftAlone) {
  json::object job = json::parse(R"({"metadata":{"name":"pi","uid":"u-1"},
      "spec":{"manualSelector":true,"selector":{"matchLabels":{"a":"b"}},
              "template":{"metadata":{"labels":{"a":"b"}}}}})").as_object();
  json::object before = job;
  JobStrategy().prepareForCreate(job);
  EXPECT_EQ(job, before);
}

TEST(JobStrategy, KeepsLabelsTheUserSet) {
  json::object job = json::parse(R"({"metadata":{"name":"pi","uid":"u-1"},
      "spec":{"template":{"metadata":{"labels":{"job-name":"mine"}}}}})").as_object();
  JobStrategy().prepareForCreate(job);
  EXPECT_EQ(job["spec"].at("template").at("metadata").at("labels").at("job-name"), "mine");
}

}  // namespace kcpp::apiserver
