#include "api/selectors/field_selector.h"

#include <array>

#include <gtest/gtest.h>

namespace kcpp::selectors {
namespace {

FieldSelector mustParse(std::string_view text) {
  auto s = FieldSelector::parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << (s.ok() ? "" : s.error().message);
  return s.ok() ? s.value() : FieldSelector();
}

std::string parseError(std::string_view text) {
  auto s = FieldSelector::parse(text);
  if (s.ok()) return "<parsed: " + s->string() + ">";
  EXPECT_EQ(s.error().reason, Reason::BadRequest);
  return s.error().message;
}

TEST(FieldSelectorParse, GoodStrings) {
  EXPECT_EQ(mustParse("x=a,y=b,z=c").string(), "x=a,y=b,z=c");
  EXPECT_EQ(mustParse("").string(), "");
  EXPECT_EQ(mustParse("x!=a,y=b").string(), "x!=a,y=b");
  EXPECT_EQ(mustParse("x==a").string(), "x=a");
  EXPECT_EQ(mustParse("x=").string(), "x=");
  EXPECT_EQ(mustParse("z=c,x=a").string(), "x=a,z=c");  // terms are sorted
  EXPECT_EQ(mustParse("a=b,,c=d").string(), "a=b,c=d");  // empty terms are skipped
  EXPECT_EQ(mustParse(",").string(), "");
  EXPECT_EQ(mustParse("=").string(), "");                // no field and no value: dropped
  EXPECT_EQ(mustParse("=x").string(), "=x");
}

TEST(FieldSelectorParse, OperatorsSplitAtTheFirstOperator) {
  auto s = mustParse("a!=b");
  ASSERT_EQ(s.requirements().size(), 1u);
  EXPECT_EQ(s.requirements()[0], (FieldRequirement{"a", FieldOp::NotEquals, "b"}));
  EXPECT_EQ(mustParse("a=!b").requirements()[0], (FieldRequirement{"a", FieldOp::Equals, "!b"}));
  EXPECT_EQ(mustParse("!a=b").requirements()[0], (FieldRequirement{"!a", FieldOp::Equals, "b"}));
  EXPECT_EQ(mustParse("metadata.name = x").requirements()[0],
            (FieldRequirement{"metadata.name ", FieldOp::Equals, " x"}));
}

TEST(FieldSelectorParse, Escaping) {
  auto s = mustParse(R"(a=x\,y\=z\\w,b=c)");
  ASSERT_EQ(s.requirements().size(), 2u);
  EXPECT_EQ(s.requirements()[0].value, R"(x,y=z\w)");
  EXPECT_EQ(s.string(), R"(a=x\,y\=z\\w,b=c)");
  EXPECT_EQ(escapeFieldValue(R"(a,b=c\d)"), R"(a\,b\=c\\d)");
  EXPECT_EQ(unescapeFieldValue(R"(a\,b\=c\\d)").value(), R"(a,b=c\d)");
  EXPECT_EQ(unescapeFieldValue("plain").value(), "plain");
}

TEST(FieldSelectorParse, ErrorMessagesAreUpstreams) {
  EXPECT_EQ(parseError("a"), "invalid selector: 'a'; can't understand 'a'");
  EXPECT_EQ(parseError("x=1,a"), "invalid selector: 'x=1,a'; can't understand 'a'");
  EXPECT_EQ(parseError("x=a==b"), "invalid field selector: unescaped character in value: 61");
  EXPECT_EQ(parseError("x===b"), "invalid field selector: unescaped character in value: 61");
  EXPECT_EQ(parseError(R"(x=a\b)"), R"(invalid field selector: invalid escape sequence: \b)");
  EXPECT_EQ(parseError(R"(x=a\)"), R"(invalid field selector: invalid escape sequence: \)");
  EXPECT_EQ(parseError("x=a\\\xc3\xa9"), "invalid field selector: invalid escape sequence: \\\xc3\xa9");
  // The escaping '\' only protects a ',' from splitting: a '\,' before '=' is
  // part of the field name.
  EXPECT_EQ(parseError(R"(a\=b=c)"), "invalid field selector: unescaped character in value: 61");
}

TEST(FieldSelectorMatch, EqualsAndNotEquals) {
  Fields fields{{"metadata.name", "web"}, {"status.phase", "Running"}};
  EXPECT_TRUE(mustParse("").matches(fields));
  EXPECT_TRUE(mustParse("metadata.name=web").matches(fields));
  EXPECT_TRUE(mustParse("metadata.name==web,status.phase!=Pending").matches(fields));
  EXPECT_FALSE(mustParse("metadata.name=db").matches(fields));
  EXPECT_FALSE(mustParse("status.phase!=Running").matches(fields));
  // A missing field reads as "".
  EXPECT_TRUE(mustParse("spec.nodeName=").matches(fields));
  EXPECT_FALSE(mustParse("spec.nodeName!=").matches(fields));
  EXPECT_TRUE(mustParse("spec.nodeName!=n1").matches(fields));
}

TEST(FieldSelector, EmptyAndFromSet) {
  EXPECT_TRUE(FieldSelector().empty());
  EXPECT_TRUE(mustParse("").empty());
  EXPECT_FALSE(mustParse("a=b").empty());
  auto s = FieldSelector::fromSet({{"b", "2"}, {"a", "1,"}});
  EXPECT_EQ(s.string(), "a=1\\,,b=2");
  EXPECT_TRUE(s.matches({{"a", "1,"}, {"b", "2"}}));
}

TEST(FieldSelector, RequiresExactMatchAndFieldNames) {
  auto s = mustParse("metadata.name=x,metadata.namespace!=kube-system,metadata.name=y");
  EXPECT_EQ(s.requiresExactMatch("metadata.name"), "x");
  EXPECT_EQ(s.requiresExactMatch("metadata.namespace"), std::nullopt);
  EXPECT_EQ(s.requiresExactMatch("spec.nodeName"), std::nullopt);
  EXPECT_EQ(s.fieldNames(), (std::vector<std::string>{"metadata.name", "metadata.namespace"}));
  EXPECT_EQ(mustParse("metadata.name==x").requiresExactMatch("metadata.name"), "x");
}

TEST(FieldSelector, TransformRenamesDropsAndFails) {
  auto s = mustParse("spec.host=n1,metadata.name=x,drop=me");
  auto converted = s.transform([](const std::string& f, const std::string& v)
                                   -> Result<std::pair<std::string, std::string>> {
    if (f == "spec.host") return std::pair<std::string, std::string>{"spec.nodeName", v};
    if (f == "drop") return std::pair<std::string, std::string>{};
    return std::pair{f, v};
  });
  ASSERT_TRUE(converted.ok());
  EXPECT_EQ(converted->string(), "metadata.name=x,spec.nodeName=n1");
  auto failed = s.transform([](const std::string& f, const std::string&)
                                -> Result<std::pair<std::string, std::string>> { return fieldLabelNotSupported(f); });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "field label not supported: drop");
}

TEST(FieldSelector, SupportedFieldHelpers) {
  static constexpr std::array<std::string_view, 2> kSupported = {"metadata.name", "metadata.namespace"};
  EXPECT_TRUE(requireSupportedFields(mustParse("metadata.name=a,metadata.namespace=b"), kSupported).ok());
  auto r = requireSupportedFields(mustParse("metadata.name=a,foo=b,bar=c"), kSupported);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::BadRequest);
  EXPECT_EQ(r.error().code(), 400);
  EXPECT_EQ(r.error().message, "field label not supported: bar");
  EXPECT_EQ(unknownFieldSelector("foo").message,
            R"("foo" is not a known field selector: only "metadata.name", "metadata.namespace")");
  EXPECT_EQ(unknownFieldSelector("foo").reason, Reason::BadRequest);
}

}  // namespace
}  // namespace kcpp::selectors
