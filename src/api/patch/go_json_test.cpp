#include "api/patch/go_json.h"

#include <gtest/gtest.h>

namespace kcpp::patch {
namespace {

std::string syntax(std::string_view text) { return goJsonSyntaxError(text).value_or("<valid>"); }

TEST(GoJsonSyntax, ValidDocuments) {
  EXPECT_EQ(syntax("  {\"a\":[1,-2.5e+3,0,0.5,1E-2,true,false,null,\"x\\u00e9\\n\\\"\"],\"b\":{}} \n"), "<valid>");
  EXPECT_EQ(syntax("[]"), "<valid>");
  EXPECT_EQ(syntax("0"), "<valid>");
  EXPECT_EQ(syntax("\"\xff\""), "<valid>");  // Go does not reject invalid UTF-8
  EXPECT_EQ(syntax(std::string(10000, '[') + std::string(10000, ']')), "<valid>");
}

TEST(GoJsonSyntax, MessagesAreGos) {
  EXPECT_EQ(syntax(""), "unexpected end of JSON input");
  EXPECT_EQ(syntax(" \n"), "unexpected end of JSON input");
  EXPECT_EQ(syntax("["), "unexpected end of JSON input");
  EXPECT_EQ(syntax("{\"a\""), "unexpected end of JSON input");
  EXPECT_EQ(syntax("\"abc"), "unexpected end of JSON input");
  EXPECT_EQ(syntax("x"), "invalid character 'x' looking for beginning of value");
  EXPECT_EQ(syntax("[1,]"), "invalid character ']' looking for beginning of value");
  EXPECT_EQ(syntax("{\"a\" 1}"), "invalid character '1' after object key");
  EXPECT_EQ(syntax("{\"a\":1 \"b\"}"), "invalid character '\"' after object key:value pair");
  EXPECT_EQ(syntax("{\"a\":1]"), "invalid character ']' after object key:value pair");
  EXPECT_EQ(syntax("[1 2]"), "invalid character '2' after array element");
  EXPECT_EQ(syntax("[01]"), "invalid character '1' after array element");
  EXPECT_EQ(syntax("{1:2}"), "invalid character '1' looking for beginning of object key string");
  EXPECT_EQ(syntax("{\"a\":1,}"), "invalid character '}' looking for beginning of object key string");
  EXPECT_EQ(syntax("{} x"), "invalid character 'x' after top-level value");
  EXPECT_EQ(syntax("{}}"), "invalid character '}' after top-level value");
  EXPECT_EQ(syntax("01"), "invalid character '1' after top-level value");
  EXPECT_EQ(syntax("\"a\x01\""), "invalid character '\\x01' in string literal");
  EXPECT_EQ(syntax("\"a\n\""), "invalid character '\\n' in string literal");
  EXPECT_EQ(syntax("\"\\x\""), "invalid character 'x' in string escape code");
  EXPECT_EQ(syntax("\"\\u12g4\""), "invalid character 'g' in \\u hexadecimal character escape");
  EXPECT_EQ(syntax("-a"), "invalid character 'a' in numeric literal");
  EXPECT_EQ(syntax("-"), "invalid character ' ' in numeric literal");
  EXPECT_EQ(syntax("1.a"), "invalid character 'a' after decimal point in numeric literal");
  EXPECT_EQ(syntax("1e"), "invalid character ' ' in exponent of numeric literal");
  EXPECT_EQ(syntax("1e+x"), "invalid character 'x' in exponent of numeric literal");
  EXPECT_EQ(syntax("tx"), "invalid character 'x' in literal true (expecting 'r')");
  EXPECT_EQ(syntax("fals"), "invalid character ' ' in literal false (expecting 'e')");
  EXPECT_EQ(syntax("nul"), "invalid character ' ' in literal null (expecting 'l')");
  EXPECT_EQ(syntax("'a'"), "invalid character '\\'' looking for beginning of value");
  EXPECT_EQ(syntax("\\"), "invalid character '\\\\' looking for beginning of value");
  EXPECT_EQ(syntax("\xc3"), "invalid character '\xc3\x83' looking for beginning of value");
  EXPECT_EQ(syntax("\x85"), "invalid character '\\u0085' looking for beginning of value");
  EXPECT_EQ(syntax(std::string(10001, '[')), "invalid character '[' exceeded max depth");
}

TEST(GoJsonKind, NamesValuesAsUnmarshalTypeError) {
  EXPECT_EQ(goJsonKind(boost::json::object()), "object");
  EXPECT_EQ(goJsonKind(boost::json::array()), "array");
  EXPECT_EQ(goJsonKind("s"), "string");
  EXPECT_EQ(goJsonKind(1), "number");
  EXPECT_EQ(goJsonKind(1.5), "number");
  EXPECT_EQ(goJsonKind(true), "bool");
}

TEST(ParseJsonLikeGo, ParsesOrExplains) {
  auto v = parseJsonLikeGo(R"({"a":[1,2]})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->at("a").at(1), 2);
  auto bad = parseJsonLikeGo("{");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().reason, Reason::BadRequest);
  EXPECT_EQ(bad.error().message, "unexpected end of JSON input");
  EXPECT_TRUE(parseJsonLikeGo(std::string(5000, '[') + std::string(5000, ']')).ok());
}

}  // namespace
}  // namespace kcpp::patch
