#include "api/selectors/label_selector.h"

#include <gtest/gtest.h>

namespace kcpp::selectors {
namespace {

const std::string kValueRegexError =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const std::string kNameRegexError =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

LabelSelector mustParse(std::string_view text) {
  auto s = LabelSelector::parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << (s.ok() ? "" : s.error().message);
  return s.ok() ? s.value() : LabelSelector::nothing();
}

std::string parseError(std::string_view text) {
  auto s = LabelSelector::parse(text);
  if (s.ok()) return "<parsed: " + s->string() + ">";
  EXPECT_EQ(s.error().reason, Reason::BadRequest);
  return s.error().message;
}

bool matches(std::string_view text, const Labels& labels) { return mustParse(text).matches(labels); }

TEST(LabelSelectorParse, GoodStringsRoundTripWithoutSpaces) {
  for (std::string text : {"x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1",
                           "x>1,z<5"}) {
    std::string expected = text;
    std::erase(expected, ' ');
    EXPECT_EQ(mustParse(text).string(), expected) << text;
  }
}

TEST(LabelSelectorParse, IsDeterministic) {
  EXPECT_EQ(mustParse("x=a,a=x").string(), mustParse("a=x,x=a").string());
  EXPECT_EQ(mustParse("x=a,a=x").string(), "a=x,x=a");
}

TEST(LabelSelectorParse, SetBasedForms) {
  EXPECT_EQ(mustParse("\rx").string(), "x");
  EXPECT_EQ(mustParse("this-is-a-dns.domain.com/key-with-dash").string(), "this-is-a-dns.domain.com/key-with-dash");
  EXPECT_EQ(mustParse("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)").string(),
            "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)");
  EXPECT_EQ(mustParse("foo  in\t (abc)").string(), "foo in (abc)");
  EXPECT_EQ(mustParse("x notin\n (abc)").string(), "x notin (abc)");
  EXPECT_EQ(mustParse("x in (def,abc)").string(), "x in (abc,def)");
  EXPECT_EQ(mustParse("x in (abc,)").string(), "x in (,abc)");
  EXPECT_EQ(mustParse("x in ()").string(), "x in ()");
  EXPECT_EQ(mustParse("x notin ( )").string(), "x notin ()");
  EXPECT_EQ(mustParse("x notin (, a)").string(), "x notin (,a)");
  EXPECT_EQ(mustParse("x notin (abc,,def),bar,z in (),w").string(), "bar,w,x notin (,abc,def),z in ()");
  EXPECT_EQ(mustParse("a in (x,y,notin, z,in)").string(), "a in (in,notin,x,y,z)");
  EXPECT_EQ(mustParse("a ").string(), "a");
  EXPECT_EQ(mustParse("x in (b,a,b)").requirements().front().values, (std::vector<std::string>{"a", "b"}));
}

TEST(LabelSelectorParse, KeywordsAreIdentifiersInValuePositions) {
  EXPECT_TRUE(matches("notin=in", {{"notin", "in"}}));
  EXPECT_TRUE(matches("in in (in)", {{"in", "in"}}));
  EXPECT_EQ(mustParse("x==y").string(), "x==y");
}

TEST(LabelSelectorParse, EmptyIsEverything) {
  auto s = mustParse("");
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.matches({}));
  EXPECT_TRUE(mustParse("  \t").empty());
  EXPECT_FALSE(mustParse("a").empty());
}

TEST(LabelSelectorParse, RequirementsAreSortedByKeyStably) {
  auto s = mustParse("z,a=1,a!=2");
  ASSERT_EQ(s.requirements().size(), 3u);
  EXPECT_EQ(s.string(), "a=1,a!=2,z");
}

TEST(LabelSelectorParse, ErrorMessagesAreUpstreams) {
  EXPECT_EQ(parseError("x=a||y=b"),
            "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": " + kValueRegexError);
  EXPECT_EQ(parseError("x==a==b"), "found '==', expected: ',' or 'end of string'");
  EXPECT_EQ(parseError("!x=a"), "found '=', expected: ',' or 'end of string'");
  EXPECT_EQ(parseError("x<a"),
            "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value "
            "must be an integer");
  EXPECT_EQ(parseError("x,,y"), "found ',', expected: identifier after ','");
  EXPECT_EQ(parseError(",x,y"), "found ',', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(parseError("x nott in (y)"),
            "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(parseError("a in (xyz),"), "found '', expected: identifier after ','");
  EXPECT_EQ(parseError("a in (xyz)b notin ()"), "found 'b', expected: ',' or 'end of string'");
  EXPECT_EQ(parseError("a in (xyz abc)"), "unable to parse requirement: found 'abc', expected: ',' or ')'");
  EXPECT_EQ(parseError("a notin("), "unable to parse requirement: found '', expected: ',', ')' or identifier");
  EXPECT_EQ(parseError("a in (b,=)"), "unable to parse requirement: found '=', expected: ',', or identifier");
  EXPECT_EQ(parseError("a (") , "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(parseError("("), "found '(', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(parseError("x in y"), "unable to parse requirement: found 'y' expected: '('");
  EXPECT_EQ(parseError("!"), "unable to parse requirement: found '', expected: identifier");
  EXPECT_EQ(parseError("x=("), "unable to parse requirement: found '(', expected: identifier");
  EXPECT_EQ(parseError("foo=bar baz"), "found 'baz', expected: ',' or 'end of string'");
}

TEST(LabelSelectorParse, KeyErrorsUseUpstreamsNilPath) {
  EXPECT_EQ(parseError("a_=b"), "unable to parse requirement: <nil>: Invalid value: \"a_\": " + kNameRegexError);
  EXPECT_EQ(parseError("Example.com/a"),
            "unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": prefix part a lowercase RFC "
            "1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
            "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_EQ(parseError(std::string(64, 'k')),
            "unable to parse requirement: <nil>: Invalid value: \"" + std::string(64, 'k') +
                "\": name part must be no more than 63 characters");
}

TEST(LabelSelectorParse, ValueErrors) {
  EXPECT_EQ(parseError("k=" + std::string(64, 'v')),
            "unable to parse requirement: values[0][k]: Invalid value: \"" + std::string(64, 'v') +
                "\": must be no more than 63 characters");
  // Values are sorted before validation, so indexes follow the sorted order.
  EXPECT_EQ(parseError("k in (ok,b_,a_)"),
            "unable to parse requirement: [values[0][k]: Invalid value: \"a_\": " + kValueRegexError +
                ", values[1][k]: Invalid value: \"b_\": " + kValueRegexError + "]");
  EXPECT_EQ(parseError("k=\"q\""),
            "unable to parse requirement: values[0][k]: Invalid value: \"\\\"q\\\"\": " + kValueRegexError);
}

TEST(LabelSelectorParse, NulBytesReadLikeEndOfInputAsUpstreams) {
  // Where the lexer looks for the next token, a NUL ends the input...
  EXPECT_EQ(mustParse(std::string("a= \0b", 5)).string(), "a=");
  // ...but inside an operator or identifier it is only swallowed.
  EXPECT_EQ(mustParse(std::string("a=\0b", 4)).string(), "a=b");
}

TEST(LabelSelectorMatch, ExactAndSetBased) {
  EXPECT_TRUE(matches("", {{"x", "y"}}));
  EXPECT_TRUE(matches("x=y", {{"x", "y"}}));
  EXPECT_TRUE(matches("x=y,z=w", {{"x", "y"}, {"z", "w"}}));
  EXPECT_TRUE(matches("x!=y,z!=w", {{"x", "z"}, {"z", "a"}}));
  EXPECT_TRUE(matches("x", {{"x", "z"}}));
  EXPECT_TRUE(matches("!x", {{"y", "z"}}));
  EXPECT_FALSE(matches("x=z", {}));
  EXPECT_FALSE(matches("x=y", {{"x", "z"}}));
  EXPECT_FALSE(matches("x=y,z=w", {{"x", "w"}, {"z", "w"}}));
  EXPECT_FALSE(matches("x!=y,z!=w", {{"x", "z"}, {"z", "w"}}));
  EXPECT_FALSE(matches("x", {{"y", "z"}}));
  EXPECT_FALSE(matches("!x", {{"x", "z"}}));
  EXPECT_TRUE(matches("x!=y", {}));  // a missing label is "not equal"
  EXPECT_TRUE(matches("x notin ()", {{"y", ""}}));
  EXPECT_FALSE(matches("x notin ()", {{"x", ""}}));
  EXPECT_TRUE(matches("x in (a,b)", {{"x", "b"}}));
  EXPECT_FALSE(matches("x in (a,b)", {{"x", "c"}}));
  EXPECT_FALSE(matches("x in (a,b)", {}));
  EXPECT_TRUE(matches("x notin (a,b)", {}));
  EXPECT_TRUE(matches("x=", {{"x", ""}}));
  EXPECT_FALSE(matches("x=", {}));
}

TEST(LabelSelectorMatch, GreaterAndLessThan) {
  EXPECT_TRUE(matches("x>1", {{"x", "2"}}));
  EXPECT_TRUE(matches("x<1", {{"x", "0"}}));
  EXPECT_TRUE(matches("x<1", {{"x", "-5"}}));
  EXPECT_TRUE(matches("x>1", {{"x", "+7"}}));
  EXPECT_FALSE(matches("x>1", {{"x", "0"}}));
  EXPECT_FALSE(matches("x<1", {{"x", "2"}}));
  EXPECT_FALSE(matches("x>1", {{"x", "v2"}}));
  EXPECT_FALSE(matches("x>1", {{"x", "99999999999999999999"}}));
  EXPECT_FALSE(matches("x>1", {}));
}

TEST(LabelSelector, NothingMatchesNothing) {
  auto n = LabelSelector::nothing();
  EXPECT_FALSE(n.matches({}));
  EXPECT_FALSE(n.empty());
  EXPECT_TRUE(n.matchesNothing());
  EXPECT_EQ(n.string(), "");
  EXPECT_FALSE(LabelSelector::everything().matchesNothing());
  EXPECT_TRUE(LabelSelector::everything().matches({{"a", "b"}}));
}

TEST(LabelSelector, FromSet) {
  auto s = LabelSelector::fromSet({{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(s.string(), "a=1,b=2");
  EXPECT_TRUE(s.matches({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_FALSE(s.matches({{"a", "1"}}));
  EXPECT_TRUE(LabelSelector::fromSet({}).empty());
}

TEST(LabelSelector, RequiresExactMatch) {
  EXPECT_EQ(mustParse("app=web,tier!=db").requiresExactMatch("app"), "web");
  EXPECT_EQ(mustParse("app==web").requiresExactMatch("app"), "web");
  EXPECT_EQ(mustParse("app in (web)").requiresExactMatch("app"), "web");
  EXPECT_EQ(mustParse("app in (web,db)").requiresExactMatch("app"), std::nullopt);
  EXPECT_EQ(mustParse("app!=web").requiresExactMatch("app"), std::nullopt);
  EXPECT_EQ(mustParse("app").requiresExactMatch("app"), std::nullopt);
  EXPECT_EQ(mustParse("tier=db").requiresExactMatch("app"), std::nullopt);
  EXPECT_EQ(LabelSelector().requiresExactMatch("app"), std::nullopt);
}

TEST(LabelRequirement, ConstructorValidation) {
  auto err = [](std::string key, LabelOp op, std::vector<std::string> values) {
    auto r = makeRequirement(std::move(key), op, std::move(values));
    return r.ok() ? std::string("<ok>") : r.error().message;
  };
  EXPECT_EQ(err("x1", LabelOp::In, {}),
            "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
  EXPECT_EQ(err("x3", LabelOp::In, {"foo"}), "<ok>");
  EXPECT_EQ(err("x5", LabelOp::Equals, {"bar", "foo"}),
            "values: Invalid value: []string{\"bar\", \"foo\"}: exact-match compatibility requires one single value");
  EXPECT_EQ(err("x8", LabelOp::Exists, {"foo"}),
            "values: Invalid value: []string{\"foo\"}: values set must be empty for exists and does not exist");
  EXPECT_EQ(err("x13", LabelOp::GreaterThan, {}),
            "values: Invalid value: []string{}: for 'Gt', 'Lt' operators, exactly one value is required");
  EXPECT_EQ(err("x14", LabelOp::GreaterThan, {"bar"}),
            "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer");
  EXPECT_EQ(err("x17", LabelOp::Equals, {"a b"}), "values[0][x17]: Invalid value: \"a b\": " + kValueRegexError);
  EXPECT_EQ(err(std::string(254, 'a'), LabelOp::Exists, {}),
            "key: Invalid value: \"" + std::string(254, 'a') + "\": name part must be no more than 63 characters");
  EXPECT_EQ(err("", LabelOp::Exists, {}),
            "key: Invalid value: \"\": name part must be non-empty; " + kNameRegexError);
  EXPECT_EQ(err("a_", LabelOp::In, {}),
            "[key: Invalid value: \"a_\": " + kNameRegexError +
                ", values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty]");
}

TEST(LabelRequirement, StringForms) {
  auto req = [](std::string key, LabelOp op, std::vector<std::string> values) {
    return makeRequirement(std::move(key), op, std::move(values)).value().string();
  };
  EXPECT_EQ(req("x", LabelOp::In, {"def", "abc"}), "x in (abc,def)");
  EXPECT_EQ(req("y", LabelOp::NotIn, {"jkl"}), "y notin (jkl)");
  EXPECT_EQ(req("z", LabelOp::NotIn, {""}), "z notin ()");
  EXPECT_EQ(req("z", LabelOp::Exists, {}), "z");
  EXPECT_EQ(req("z", LabelOp::DoesNotExist, {}), "!z");
  EXPECT_EQ(req("y", LabelOp::DoubleEquals, {"jkl"}), "y==jkl");
  EXPECT_EQ(req("z", LabelOp::NotEquals, {"a"}), "z!=a");
  EXPECT_EQ(req("x", LabelOp::GreaterThan, {"2"}), "x>2");
  EXPECT_EQ(req("y", LabelOp::LessThan, {"8"}), "y<8");
  EXPECT_EQ(labelOpName(LabelOp::DoesNotExist), "!");
  EXPECT_EQ(labelOpName(LabelOp::GreaterThan), "gt");
}

}  // namespace
}  // namespace kcpp::selectors
