// Strategic merge patch: objects, directives on objects, $retainKeys, schema
// lookups and the apiserver entry point. The scenarios are those of upstream's
// strategicpatch tests (patch application), with data of our own.
#include "api/patch/strategic_merge.h"

#include "api/meta/status.h"
#include "api/patch/strategic_merge_internal.h"
#include "api/patch/strategic_merge_test_support.h"

namespace kcpp::patch::testing {
namespace {

namespace json = boost::json;

TEST_F(StrategicMergeTest, ObjectsMergeAndNullDeletes) {
  EXPECT_MERGED(merge(R"({"name":"a","value":"1","simpleMap":{"k1":"v1","k2":"v2"}})",
                      R"({"value":null,"other":"x","simpleMap":{"k2":null,"k3":"v3"}})"),
                R"({"name":"a","other":"x","simpleMap":{"k1":"v1","k3":"v3"}})");
  EXPECT_MERGED(merge(R"({"name":"a"})", R"({"value":null})"), R"({"name":"a"})");
  EXPECT_MERGED(merge(R"({"name":"a"})", R"({})"), R"({"name":"a"})");
}

TEST_F(StrategicMergeTest, NewValuesLoseNullsAndDirectives) {
  EXPECT_MERGED(merge(R"({})", R"({"simpleMap":{"a":"1","b":null},
                                   "mergingList":[{"name":"x","$patch":"delete"},{"name":"y","value":null}]})"),
                R"({"simpleMap":{"a":"1"},"mergingList":[{"name":"y"}]})");
  EXPECT_MERGED(merge(R"({})", R"({"simpleMap":{"$patch":"replace","a":"1"}})"), R"({})");
}

TEST_F(StrategicMergeTest, ValuesOfAnotherTypeReplace) {
  EXPECT_MERGED(merge(R"({"simpleMap":{"a":"1"}})", R"({"simpleMap":"text"})"), R"({"simpleMap":"text"})");
  EXPECT_MERGED(merge(R"({"name":"a"})", R"({"name":{"x":null,"y":1}})"), R"({"name":{"y":1}})");
  EXPECT_MERGED(merge(R"({"mergingIntList":[1]})", R"({"mergingIntList":{"a":1}})"), R"({"mergingIntList":{"a":1}})");
}

TEST_F(StrategicMergeTest, PatchDirectiveOnObjects) {
  EXPECT_MERGED(merge(R"({"simpleMap":{"a":"1","b":"2"}})", R"({"simpleMap":{"$patch":"replace","c":"3"}})"),
                R"({"simpleMap":{"c":"3"}})");
  EXPECT_MERGED(merge(R"({"name":"a","value":"b"})", R"({"$patch":"replace","other":"c"})"), R"({"other":"c"})");
  EXPECT_MERGED(merge(R"({"name":"a","value":"b"})", R"({"$patch":"replace"})"), R"({})");
  EXPECT_MERGED(merge(R"({"simpleMap":{"a":"1"}})", R"({"simpleMap":{"$patch":"delete"}})"), R"({"simpleMap":{}})");
  // Upstream accepts only replace and delete on objects.
  EXPECT_EQ(merge(R"({"simpleMap":{"a":"1"}})", R"({"simpleMap":{"$patch":"merge","b":"2"}})"),
            "error 500: unknown patch type: merge in map: map[$patch:merge b:2]");
  EXPECT_EQ(merge(R"({"simpleMap":{"a":"1"}})", R"({"simpleMap":{"$patch":7}})"),
            "error 500: unknown patch type: %!s(int64=7) in map: map[$patch:7]");
}

TEST_F(StrategicMergeTest, ReplaceStrategyAndFreeFormFields) {
  EXPECT_MERGED(merge(R"({"replacingItem":{"a":1,"b":{"c":2}}})", R"({"replacingItem":{"b":{"d":3}}})"),
                R"({"replacingItem":{"b":{"d":3}}})");
  // A free-form field (a struct without fields, like RawExtension) merges scalars
  // but cannot look up nested objects.
  EXPECT_MERGED(merge(R"({"jsonItem":{"a":1}})", R"({"jsonItem":{"a":2,"b":3}})"), R"({"jsonItem":{"a":2,"b":3}})");
  EXPECT_EQ(merge(R"({"jsonItem":{"a":{"b":1}}})", R"({"jsonItem":{"a":{"c":2}}})"),
            "error 500: unable to find api field in struct SmpRaw for the json field \"a\"");
}

TEST_F(StrategicMergeTest, FieldLookups) {
  EXPECT_EQ(merge(R"({"extra":{"a":1}})", R"({"extra":{"b":2}})"),
            "error 500: unable to find api field in struct SmpItem for the json field \"extra\"");
  EXPECT_MERGED(merge(R"({})", R"({"extra":{"b":2}})"), R"({"extra":{"b":2}})");
  EXPECT_EQ(show(strategicMergePatch({}, {}, *schemas_, "core.v1.Nope")), "error 500: no schema for core.v1.Nope");
  // Field names match case-insensitively when nothing matches exactly, as Go's do.
  EXPECT_MERGED(merge(R"({"SimpleMap":{"a":"1"}})", R"({"SimpleMap":{"b":"2"}})"),
                R"({"SimpleMap":{"a":"1","b":"2"}})");
  EXPECT_EQ(merge(R"({"simpleMap":{"a":{"x":1}}})", R"({"simpleMap":{"a":{"y":2}}})"),
            "error 500: merging an object in json but data type is not struct, instead is: map");
  // A strategy upstream's struct tags could not hold (the schema loader refuses it too).
  json::object odd = json::parse(R"({"type":"object","properties":{"l":{"type":"array","items":{"type":"string"},
                                     "x-kubernetes-patch-strategy":"merge,replace"}}})").as_object();
  auto field = smp::TypeSchema(*schemas_, odd).lookupSlice("l");
  ASSERT_FALSE(field);
  EXPECT_EQ(field.error().message, "unexpected patch strategy: [merge replace]");
}

TEST_F(StrategicMergeTest, OtherErrorsAre500WithoutAReason) {
  auto failed = strategicMergePatch(json::parse(R"({"mergingList":[{"name":"a"}]})").as_object(),
                                    json::parse(R"({"mergingList":[{"value":"b"}]})").as_object(), *schemas_,
                                    "core.v1.SmpItem");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().reason, Reason::Unknown);
  json::object status = api::statusObject(failed.error());
  EXPECT_FALSE(status.contains("reason"));
  EXPECT_EQ(status.at("code"), 500);
  EXPECT_EQ(status.at("message"), "map: map[value:b] does not contain declared merge key: name");
}

TEST_F(StrategicMergeTest, RetainKeys) {
  const char* original = R"({"retainKeysMap":{"name":"a","value":"b","other":"c"}})";
  EXPECT_MERGED(merge(original, R"({"retainKeysMap":{"$retainKeys":["name","value"],"value":"d"}})"),
                R"({"retainKeysMap":{"name":"a","value":"d"}})");
  EXPECT_MERGED(merge(original, R"({"retainKeysMap":{"$retainKeys":["name"],"value":null}})"),
                R"({"retainKeysMap":{"name":"a"}})");
  EXPECT_MERGED(merge(original, R"({"retainKeysMap":{"$retainKeys":[]}})"), R"({"retainKeysMap":{}})");
  // Every field the patch sets must be listed.
  EXPECT_EQ(merge(original, R"({"retainKeysMap":{"$retainKeys":["name"],"value":"d"}})"),
            "error 400: invalid patch format of retainKeys");
  EXPECT_EQ(merge(original, R"({"retainKeysMap":{"$retainKeys":"name"}})"),
            "error 400: invalid patch format of retainKeys");
  // Parallel lists are not fields.
  EXPECT_MERGED(merge(R"({"retainKeysMap":{"name":"a","mergingIntList":[1,2]}})",
                      R"({"retainKeysMap":{"$retainKeys":["mergingIntList"],"$setElementOrder/mergingIntList":[2,1]}})"),
                R"({"retainKeysMap":{"mergingIntList":[2,1]}})");
}

TEST_F(StrategicMergeTest, RetainKeysInMergingListItems) {
  EXPECT_MERGED(merge(R"({"retainKeysMergingList":[{"name":"foo","value":"a","other":"b"},{"name":"bar"}]})",
                      R"({"retainKeysMergingList":[{"name":"foo","$retainKeys":["name","value"]}]})"),
                R"({"retainKeysMergingList":[{"name":"foo","value":"a"},{"name":"bar"}]})");
}

Result<Patched> applyBody(const api::SchemaSet& schemas, std::string_view original, std::string_view body,
                          Decoding decoding = Decoding::Lenient) {
  return applyStrategicMergePatch(json::parse(original), body, schemas, "core.v1.SmpItem", decoding);
}

TEST_F(StrategicMergeTest, MalformedBodies) {
  auto array = applyBody(*schemas_, R"({"name":"a"})", "[1]");
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error().reason, Reason::BadRequest);
  EXPECT_EQ(array.error().message, "json: cannot unmarshal array into Go value of type map[string]interface {}");
  auto truncated = applyBody(*schemas_, R"({"name":"a"})", "{");
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().reason, Reason::BadRequest);
  EXPECT_EQ(truncated.error().message, "unexpected end of JSON input");
  auto string = applyBody(*schemas_, R"({"name":"a"})", R"("x")");
  ASSERT_FALSE(string);
  EXPECT_EQ(string.error().message, "json: cannot unmarshal string into Go value of type map[string]interface {}");
}

TEST_F(StrategicMergeTest, NullBodyChangesNothing) {
  auto patched = applyBody(*schemas_, R"({"name":"a"})", "null");
  ASSERT_TRUE(patched) << patched.error().message;
  EXPECT_EQ(patched->object, json::parse(R"({"name":"a"})"));
}

TEST_F(StrategicMergeTest, StrictDecodingReportsDuplicates) {
  auto patched = applyBody(*schemas_, R"({"name":"a"})", R"({"value":"x","value":"y"})", Decoding::Strict);
  ASSERT_TRUE(patched) << patched.error().message;
  EXPECT_EQ(patched->strictErrors, std::vector<std::string>{"duplicate field \"value\""});
  EXPECT_EQ(patched->object, json::parse(R"({"name":"a","value":"y"})"));
  auto lenient = applyBody(*schemas_, R"({"name":"a"})", R"({"value":"x","value":"y"})");
  ASSERT_TRUE(lenient);
  EXPECT_TRUE(lenient->strictErrors.empty());
}

TEST_F(StrategicMergeTest, DecodingDropsNullsAndLeftoverDirectives) {
  // An appended item is taken as it is by the merge; decoding drops its nulls.
  auto appended = applyBody(*schemas_, R"({"mergingList":[{"name":"a"}]})",
                            R"({"mergingList":[{"name":"b","value":null}]})");
  ASSERT_TRUE(appended) << appended.error().message;
  EXPECT_EQ(appended->object, json::parse(R"({"mergingList":[{"name":"b"},{"name":"a"}]})"));
  // So are directives in values the live object did not have.
  auto added = applyBody(*schemas_, R"({"name":"a"})",
                         R"({"retainKeysMap":{"$retainKeys":["name"],"name":"b"},
                             "mergingList":[{"name":"n","$setElementOrder/mergingList":[]}]})");
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->object, json::parse(R"({"name":"a","retainKeysMap":{"name":"b"},"mergingList":[{"name":"n"}]})"));
  // Free-form values keep theirs.
  auto raw = applyBody(*schemas_, R"({"replacingItem":{"a":1}})", R"({"replacingItem":{"b":null}})");
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(raw->object, json::parse(R"({"replacingItem":{"b":null}})"));
}

TEST(StrategicMergeGo, FormatsValuesAsFmtDoes) {
  using smp::goFormat;
  EXPECT_EQ(goFormat(json::parse(R"({"b":[1,"x",true],"a":null,"$patch":"delete"})")),
            "map[$patch:delete a:<nil> b:[1 x true]]");
  EXPECT_EQ(goFormat(json::value(1.5)), "1.5");
  EXPECT_EQ(goFormat(json::value(1e6)), "1e+06");
  EXPECT_EQ(goFormat(json::value(123456.0)), "123456");
  EXPECT_EQ(goFormat(json::value(0.0001)), "0.0001");
  EXPECT_EQ(goFormat(json::value(0.00001)), "1e-05");
  EXPECT_EQ(goFormat(json::value(-2.5e-7)), "-2.5e-07");
  EXPECT_EQ(goFormat(json::value(true), true), "%!s(bool=true)");
  EXPECT_EQ(goFormat(json::value(nullptr), true), "%!s(<nil>)");
  EXPECT_EQ(smp::goType(json::parse("[]")), "[]interface {}");
  EXPECT_TRUE(smp::goEqual(json::value(std::int64_t{3}), json::value(std::uint64_t{3})));
  EXPECT_FALSE(smp::goEqual(json::value(3), json::value(3.0)));
  EXPECT_FALSE(smp::goEqual(json::parse("{}"), json::parse("{}")));
}

}  // namespace
}  // namespace kcpp::patch::testing
