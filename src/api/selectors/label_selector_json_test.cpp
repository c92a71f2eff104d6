#include "api/selectors/label_selector_json.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace kcpp::selectors {
namespace {

boost::json::value json(std::string_view text) { return boost::json::parse(text); }

LabelSelector fromJson(std::string_view text) {
  auto s = labelSelectorFromJson(json(text));
  EXPECT_TRUE(s.ok()) << text << ": " << (s.ok() ? "" : s.error().message);
  return s.ok() ? s.value() : LabelSelector::nothing();
}

std::string fromJsonError(std::string_view text) {
  auto s = labelSelectorFromJson(json(text));
  if (s.ok()) return "<ok: " + s->string() + ">";
  EXPECT_EQ(s.error().reason, Reason::BadRequest);
  return s.error().message;
}

TEST(LabelSelectorFromJson, NullSelectsNothingEmptySelectsEverything) {
  EXPECT_TRUE(fromJson("null").matchesNothing());
  EXPECT_FALSE(fromJson("null").matches({}));
  EXPECT_TRUE(fromJson("{}").empty());
  EXPECT_TRUE(fromJson(R"({"matchLabels":{},"matchExpressions":[]})").empty());
  EXPECT_TRUE(fromJson(R"({"matchLabels":null,"matchExpressions":null})").empty());
}

TEST(LabelSelectorFromJson, MatchLabelsAndExpressions) {
  auto s = fromJson(R"({"matchLabels":{"app":"web"},"matchExpressions":[
      {"key":"tier","operator":"In","values":["b","a"]},
      {"key":"canary","operator":"DoesNotExist"},
      {"key":"env","operator":"NotIn","values":["prod"]},
      {"key":"team","operator":"Exists","values":[]}]})");
  EXPECT_EQ(s.string(), "app=web,!canary,env notin (prod),team,tier in (a,b)");
  EXPECT_TRUE(s.matches({{"app", "web"}, {"tier", "a"}, {"team", "x"}}));
  EXPECT_FALSE(s.matches({{"app", "web"}, {"tier", "a"}, {"team", "x"}, {"canary", "1"}}));
  EXPECT_FALSE(s.matches({{"app", "web"}, {"tier", "c"}, {"team", "x"}}));
  EXPECT_FALSE(s.matches({{"app", "web"}, {"tier", "a"}, {"team", "x"}, {"env", "prod"}}));
  EXPECT_EQ(s.requiresExactMatch("app"), "web");
}

TEST(LabelSelectorFromJson, UpstreamErrors) {
  EXPECT_EQ(fromJsonError(R"({"matchExpressions":[{"key":"a","operator":"Foo"}]})"),
            "\"Foo\" is not a valid label selector operator");
  EXPECT_EQ(fromJsonError(R"({"matchExpressions":[{"key":"a","operator":"in","values":["x"]}]})"),
            "\"in\" is not a valid label selector operator");
  EXPECT_EQ(fromJsonError(R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})"),
            "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
  EXPECT_EQ(fromJsonError(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})"),
            "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist");
  EXPECT_EQ(fromJsonError(R"({"matchLabels":{"a":"b c"}})").substr(0, 42),
            "values[0][a]: Invalid value: \"b c\": a vali");
  EXPECT_EQ(fromJsonError(R"({"matchLabels":{"a_":"b"}})").substr(0, 30), "key: Invalid value: \"a_\": name");
}

TEST(LabelSelectorFromJson, MalformedShapes) {
  EXPECT_EQ(fromJsonError("[]"), "invalid label selector: must be an object");
  EXPECT_EQ(fromJsonError(R"({"matchLabels":{"a":1}})"), "invalid label selector: matchLabels must be an object of strings");
  EXPECT_EQ(fromJsonError(R"({"matchExpressions":{}})"),
            "invalid label selector: matchExpressions must be an array of objects");
  EXPECT_EQ(fromJsonError(R"({"matchExpressions":[{"key":"a","operator":"In","values":[1]}]})"),
            "invalid label selector: matchExpressions[].values must be an array of strings");
}

TEST(ValidateLabelSelector, ValidSelectorHasNoCauses) {
  EXPECT_TRUE(validateLabelSelector(json("null"), "spec.selector").empty());
  EXPECT_TRUE(validateLabelSelector(json(R"({"matchLabels":{"app":"web"},"matchExpressions":[
      {"key":"k","operator":"In","values":["v"]}]})"), "spec.selector").empty());
}

TEST(ValidateLabelSelector, UpstreamCauses) {
  auto causes = validateLabelSelector(json(R"({"matchLabels":{"a_":"v!"},"matchExpressions":[
      {"key":"k","operator":"In"},
      {"key":"k","operator":"Exists","values":["v"]},
      {"key":"-k","operator":"Bogus","values":["ok","bad value"]}]})"),
                                      "spec.selector");
  ASSERT_EQ(causes.size(), 7u);
  EXPECT_EQ(causes[0].type, "FieldValueInvalid");
  EXPECT_EQ(causes[0].field, "spec.selector.matchLabels");
  EXPECT_EQ(causes[0].message.substr(0, 43), "Invalid value: \"a_\": name part must consist");
  EXPECT_EQ(causes[1].field, "spec.selector.matchLabels");
  EXPECT_EQ(causes[1].message.substr(0, 32), "Invalid value: \"v!\": a valid lab");
  EXPECT_EQ(causes[2].type, "FieldValueRequired");
  EXPECT_EQ(causes[2].field, "spec.selector.matchExpressions[0].values");
  EXPECT_EQ(causes[2].message, "Required value: must be specified when `operator` is 'In' or 'NotIn'");
  EXPECT_EQ(causes[3].type, "FieldValueForbidden");
  EXPECT_EQ(causes[3].field, "spec.selector.matchExpressions[1].values");
  EXPECT_EQ(causes[3].message, "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  EXPECT_EQ(causes[4].field, "spec.selector.matchExpressions[2].operator");
  EXPECT_EQ(causes[4].message, "Invalid value: \"Bogus\": not a valid selector operator");
  EXPECT_EQ(causes[5].field, "spec.selector.matchExpressions[2].key");
  EXPECT_EQ(causes[6].field, "spec.selector.matchExpressions[2].values[1]");
  EXPECT_EQ(causes[6].message.substr(0, 37), "Invalid value: \"bad value\": a valid l");
}

TEST(ValidateLabelSelector, Options) {
  auto sel = json(R"({"matchExpressions":[{"key":"k","operator":"Bogus","values":["bad value"]}]})");
  EXPECT_EQ(validateLabelSelector(sel, "s").size(), 2u);
  LabelSelectorValidationOptions lenient{.allowInvalidLabelValueInSelector = true,
                                         .allowUnknownOperatorInRequirement = true};
  EXPECT_TRUE(validateLabelSelector(sel, "s", lenient).empty());
}

TEST(ValidateLabelSelector, EmptyPathAndMalformed) {
  auto causes = validateLabelSelector(json(R"({"matchExpressions":[{"key":"k","operator":"In"}]})"), "");
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "matchExpressions[0].values");
  causes = validateLabelSelector(json("3"), "spec.selector");
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.selector");
}

}  // namespace
}  // namespace kcpp::selectors
