#pragma once
// Shared by the strategic merge patch tests: a small schema with every kind of
// field upstream's tests use (merging and non-merging lists of objects and of
// integers, a map, a replace-strategy field, a free-form field, retainKeys), and
// helpers that apply a patch and show the result or the error.

#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/patch/strategic_merge.h"

namespace kcpp::patch::testing {

inline constexpr std::string_view kTestSchema = R"(definitions:
  core.v1.SmpItem:
    description: An item.
    fields:
      name: {type: string}
      value: {type: string}
      other: {type: string}
      mergingList: {type: "[]core.v1.SmpItem", patch: {strategy: merge, mergeKey: name}}
      nonMergingList: {type: "[]core.v1.SmpItem"}
      mapList: {type: "[]core.v1.SmpItem", list: {type: map, keys: [name]}}
      mergingIntList: {type: "[]int64", patch: {strategy: merge}}
      nonMergingIntList: {type: "[]int64"}
      simpleMap: {type: "map[string]string"}
      replacingItem: {type: core.v1.SmpRaw, patch: {strategy: replace}}
      jsonItem: {type: core.v1.SmpRaw}
      retainKeysMap: {type: core.v1.SmpRetainItem, patch: {strategy: retainKeys}}
      retainKeysMergingList: {type: "[]core.v1.SmpItem", patch: {strategy: "merge,retainKeys", mergeKey: name}}
      keylessMergingList: {type: "[]core.v1.SmpItem", patch: {strategy: merge}}
  core.v1.SmpRetainItem:
    description: An item with retainKeys.
    fields:
      name: {type: string}
      value: {type: string}
      other: {type: string}
      simpleMap: {type: "map[string]string"}
      mergingIntList: {type: "[]int64", patch: {strategy: merge}}
      mergingList: {type: "[]core.v1.SmpItem", patch: {strategy: merge, mergeKey: name}}
      nonMergingList: {type: "[]core.v1.SmpItem"}
  core.v1.SmpRaw:
    type: object
    description: Free-form.
)";

class StrategicMergeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    api::SchemaFile files[] = {{"smp_test.yaml", kTestSchema}};
    auto set = api::SchemaSet::load(files);
    ASSERT_TRUE(set) << set.error().message;
    schemas_ = new api::SchemaSet(std::move(*set));
    auto builtin = api::SchemaSet::loadBuiltin();
    ASSERT_TRUE(builtin) << builtin.error().message;
    builtin_ = new api::SchemaSet(std::move(*builtin));
  }
  static void TearDownTestSuite() {
    delete schemas_;
    delete builtin_;
    schemas_ = builtin_ = nullptr;
  }

  static std::string show(const Result<boost::json::object>& r) {
    if (r) return boost::json::serialize(*r);
    return "error " + std::to_string(httpCode(r.error().reason)) + ": " + r.error().message;
  }

  // The patch applied to an original, both JSON texts, with the test schema.
  static std::string merge(std::string_view original, std::string_view patch) {
    return show(strategicMergePatch(boost::json::parse(original).as_object(), boost::json::parse(patch).as_object(),
                                    *schemas_, "core.v1.SmpItem"));
  }
  // The same with a built-in kind's schema.
  static std::string mergeBuiltin(std::string_view group, std::string_view kind, std::string_view original,
                                  std::string_view patch) {
    return show(strategicMergePatch(boost::json::parse(original).as_object(), boost::json::parse(patch).as_object(),
                                    *builtin_, builtin_->rootName(group, "v1", kind)));
  }

  static inline api::SchemaSet* schemas_ = nullptr;
  static inline api::SchemaSet* builtin_ = nullptr;
};

// The result equals `expected` as JSON (object members in any order, list items
// in order); errors show as "error <code>: <message>".
#define EXPECT_MERGED(got, expected)                                                          \
  do {                                                                                        \
    std::string got_ = (got);                                                                 \
    if (got_.starts_with("error")) {                                                          \
      ADD_FAILURE() << got_;                                                                  \
    } else {                                                                                  \
      EXPECT_EQ(boost::json::parse(got_), boost::json::parse(expected)) << "got " << got_;    \
    }                                                                                         \
  } while (0)

}  // namespace kcpp::patch::testing
