#include "api/patch/merge_patch.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace kcpp::patch {
namespace {

boost::json::value json(std::string_view text) { return boost::json::parse(text); }

struct Case {
  const char* original;
  const char* patch;
  const char* result;
};

// RFC 7386 appendix A, every row.
TEST(MergePatchRfc, AppendixExamples) {
  const Case cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", "null", "null"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    auto got = mergePatch(json(c.original), json(c.patch));
    EXPECT_EQ(got, json(c.result)) << c.original << " + " << c.patch << " gave " << boost::json::serialize(got);
  }
}

TEST(MergePatch, RfcSection3Example) {
  auto target = json(R"({"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},
      "tags":["example","sample"],"content":"This will be unchanged"})");
  auto patch = json(R"({"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},
      "tags":["example"]})");
  EXPECT_EQ(mergePatch(target, patch), json(R"({"title":"Hello!","author":{"givenName":"John"},
      "tags":["example"],"content":"This will be unchanged","phoneNumber":"+01-123-456-7890"})"));
}

TEST(MergePatch, NullsInsideArraysFollowTheUpstreamLibrary) {
  // Where the target holds no object, nulls are pruned from objects inside the
  // patch value, arrays included...
  EXPECT_EQ(mergePatch(json(R"({})"), json(R"({"a":[{"b":null,"c":1},null]})")),
            json(R"({"a":[{"c":1},null]})"));
  EXPECT_EQ(mergePatch(json(R"({"a":[1]})"), json(R"({"a":[{"b":null}]})")), json(R"({"a":[{}]})"));
  EXPECT_EQ(mergePatch(json(R"({})"), json(R"([{"b":null}])")), json(R"([{}])"));
  // ...but an array replacing an object is taken as is.
  EXPECT_EQ(mergePatch(json(R"({"a":{"x":1}})"), json(R"({"a":[{"b":null}]})")), json(R"({"a":[{"b":null}]})"));
}

TEST(MergePatch, KubernetesShapes) {
  auto pod = json(R"({"metadata":{"name":"p","labels":{"a":"1","b":"2"}},"spec":{"containers":[{"name":"c"}]}})");
  auto patched = mergePatch(pod, json(R"({"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"containers":[{"name":"d"}]}})"));
  EXPECT_EQ(patched, json(R"({"metadata":{"name":"p","labels":{"b":"2","c":"3"}},"spec":{"containers":[{"name":"d"}]}})"));
  EXPECT_EQ(mergePatch(pod, json("{}")), pod);
}

TEST(ApplyMergePatch, ApiserverStep) {
  auto doc = json(R"({"a":{"b":1}})");
  auto ok = applyMergePatch(doc, R"({"a":{"c":2}})", Decoding::Lenient);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->object, json(R"({"a":{"b":1,"c":2}})"));
  auto array = applyMergePatch(doc, R"([{"x":null}])", Decoding::Lenient);
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(array->object, json(R"([{}])"));
  for (std::string_view bad : {"x", "", "null", "1", "\"s\"", "true", "{"}) {
    auto r = applyMergePatch(doc, bad, Decoding::Lenient);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().reason, Reason::BadRequest) << bad;
    EXPECT_EQ(r.error().message, "Invalid JSON Patch") << bad;
  }
}

TEST(ApplyMergePatch, StrictDecoding) {
  auto doc = json(R"({"a":1})");
  auto message = [&](std::string_view body) {
    auto r = applyMergePatch(doc, body, Decoding::Strict);
    return r.ok() ? std::string("<ok>") : r.error().message;
  };
  EXPECT_EQ(message("x"), "error decoding patch: invalid character 'x' looking for beginning of value");
  EXPECT_EQ(message("[]"),
            "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}");
  EXPECT_EQ(message("1"),
            "error decoding patch: json: cannot unmarshal number into Go value of type map[string]interface {}");
  EXPECT_EQ(message("null"), "Invalid JSON Patch");
  auto r = applyMergePatch(doc, R"({"b":{"c":1,"c":2,"d":[{"e":1,"e":1}]},"b":3})", Decoding::Strict);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->object, json(R"({"a":1,"b":3})"));
  EXPECT_EQ(r->strictErrors, (std::vector<std::string>{R"(duplicate field "b.c")", R"(duplicate field "b.d[0].e")",
                                                        R"(duplicate field "b")"}));
  EXPECT_TRUE(applyMergePatch(doc, R"({"b":1,"b":2})", Decoding::Lenient).value().strictErrors.empty());
}

}  // namespace
}  // namespace kcpp::patch
