#include "api/patch/json_patch.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace kcpp::patch {
namespace {

boost::json::value json(std::string_view text) { return boost::json::parse(text); }

// Applies `patch` to `doc`; the result as JSON, or "error: <message>".
std::string apply(std::string_view doc, std::string_view patch) {
  auto p = JsonPatch::parse(patch);
  if (!p) return "parse error: " + p.error().message;
  auto r = p->apply(json(doc));
  if (!r) {
    EXPECT_EQ(r.error().reason, Reason::Invalid);
    return "error: " + r.error().message;
  }
  return boost::json::serialize(*r);
}

void expectResult(std::string_view doc, std::string_view patch, std::string_view expected) {
  auto p = JsonPatch::parse(patch);
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto r = p->apply(json(doc));
  ASSERT_TRUE(r.ok()) << patch << ": " << r.error().message;
  EXPECT_EQ(*r, json(expected)) << patch << " gave " << boost::json::serialize(*r);
}

std::string parseError(std::string_view body, Decoding decoding = Decoding::Lenient) {
  auto p = JsonPatch::parse(body, decoding);
  if (p.ok()) return "<ok>";
  EXPECT_EQ(p.error().reason, Reason::BadRequest);
  return p.error().message;
}

// RFC 6902 appendix A.
TEST(JsonPatchRfc, AppendixExamples) {
  expectResult(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])", R"({"baz":"qux","foo":"bar"})");
  expectResult(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])",
               R"({"foo":["bar","qux","baz"]})");
  expectResult(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])", R"({"foo":"bar"})");
  expectResult(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])", R"({"foo":["bar","baz"]})");
  expectResult(R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])",
               R"({"baz":"boo","foo":"bar"})");
  expectResult(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
               R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
               R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})");
  expectResult(R"({"foo":["all","grass","cows","eat"]})", R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
               R"({"foo":["all","cows","eat","grass"]})");
  expectResult(R"({"baz":"qux","foo":["a",2,"c"]})",
               R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])",
               R"({"baz":"qux","foo":["a",2,"c"]})");
  EXPECT_EQ(apply(R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])"),
            "error: testing value /baz failed: test failed");
  expectResult(R"({"foo":"bar"})", R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])",
               R"({"foo":"bar","child":{"grandchild":{}}})");
  expectResult(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])",
               R"({"foo":"bar","baz":"qux"})");
  EXPECT_EQ(apply(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])"),
            "error: add operation does not apply: doc is missing path: \"/baz/bat\": missing value");
  expectResult(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])", R"({"/":9,"~1":10})");
  EXPECT_EQ(apply(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])"),
            "error: testing value /~01 failed: test failed");
  expectResult(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])",
               R"({"foo":["bar",["abc","def"]]})");
}

TEST(JsonPatchRfc, DuplicateOpMembersLastWinsAndStillFails) {
  // RFC A.13: the library decodes into a map, so the last "op" wins: a remove of a
  // missing member, which fails.
  EXPECT_EQ(apply(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","op":"remove"}])"),
            "error: error in remove for path: '/baz': Unable to remove nonexistent key: baz: missing value");
}

TEST(JsonPatch, PointerEscapes) {
  expectResult(R"({"a/b":1,"m~n":2})", R"([{"op":"replace","path":"/a~1b","value":3},
                                            {"op":"remove","path":"/m~0n"}])", R"({"a/b":3})");
  expectResult(R"({"metadata":{"labels":{}}})",
               R"([{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"web"}])",
               R"({"metadata":{"labels":{"app.kubernetes.io/name":"web"}}})");
}

TEST(JsonPatch, ArrayIndexes) {
  expectResult(R"({"a":[1,2,3]})", R"([{"op":"add","path":"/a/3","value":4}])", R"({"a":[1,2,3,4]})");
  expectResult(R"({"a":[1,2,3]})", R"([{"op":"add","path":"/a/0","value":0}])", R"({"a":[0,1,2,3]})");
  expectResult(R"({"a":[1,2,3]})", R"([{"op":"add","path":"/a/-1","value":4}])", R"({"a":[1,2,3,4]})");
  expectResult(R"({"a":[1,2,3]})", R"([{"op":"remove","path":"/a/-1"}])", R"({"a":[1,2]})");
  expectResult(R"({"a":[1,2,3]})", R"([{"op":"replace","path":"/a/-3","value":9}])", R"({"a":[9,2,3]})");
  expectResult(R"({"a":[[1],[2]]})", R"([{"op":"add","path":"/a/1/0","value":0}])", R"({"a":[[1],[0,2]]})");
  EXPECT_EQ(apply(R"({"a":[1,2]})", R"([{"op":"add","path":"/a/5","value":0}])"),
            "error: error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced");
  EXPECT_EQ(apply(R"({"a":[1,2]})", R"([{"op":"add","path":"/a/x","value":0}])"),
            "error: error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: "
            "parsing \"x\": invalid syntax");
  EXPECT_EQ(apply(R"({"a":[1,2]})", R"([{"op":"remove","path":"/a/2"}])"),
            "error: error in remove for path: '/a/2': Unable to access invalid index: 2: invalid index referenced");
  EXPECT_EQ(apply(R"({"a":[1,2]})", R"([{"op":"remove","path":"/a/-"}])"),
            "error: error in remove for path: '/a/-': strconv.Atoi: parsing \"-\": invalid syntax");
  EXPECT_EQ(apply(R"({"a":[1,2]})", R"([{"op":"replace","path":"/a/2","value":0}])"),
            "error: replace operation does not apply: doc is missing key: /a/2: missing value");
  // adding counts negative indexes over the len + 1 slots
  expectResult(R"({"a":[1,2]})", R"([{"op":"add","path":"/a/-3","value":0}])", R"({"a":[0,1,2]})");
  EXPECT_EQ(apply(R"({"a":[1,2]})", R"([{"op":"add","path":"/a/-4","value":0}])"),
            "error: error in add for path: '/a/-4': Unable to access invalid index: -4: invalid index referenced");
}

TEST(JsonPatch, UpstreamLibraryQuirks) {
  // replace of a missing object member adds it
  expectResult(R"({"a":1})", R"([{"op":"replace","path":"/b","value":2}])", R"({"a":1,"b":2})");
  // copy from a missing member copies null; a missing value is null
  expectResult(R"({"a":1})", R"([{"op":"copy","from":"/x","path":"/b"}])", R"({"a":1,"b":null})");
  expectResult(R"({"a":1})", R"([{"op":"add","path":"/b"}])", R"({"a":1,"b":null})");
  // test of a missing member against null passes
  expectResult(R"({"a":1})", R"([{"op":"test","path":"/x","value":null}])", R"({"a":1})");
  // the root: add fails, replace swaps (ignoring non-containers), test compares
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"add","path":"","value":{}}])"),
            "error: add operation does not apply: doc is missing path: \"\": missing value");
  expectResult(R"({"a":1})", R"([{"op":"replace","path":"","value":{"b":2}}])", R"({"b":2})");
  expectResult(R"({"a":1})", R"([{"op":"replace","path":"","value":5}])", R"({"a":1})");
  expectResult(R"({"a":1})", R"([{"op":"test","path":"","value":{"a":1}}])", R"({"a":1})");
  // a path without a leading '/' loses its first segment
  expectResult(R"({"a":1})", R"([{"op":"add","path":"x/b","value":2}])", R"({"a":1,"b":2})");
  // numbers compare by representation: 1 is not 1.0
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"test","path":"/a","value":1.0}])"),
            "error: testing value /a failed: test failed");
}

TEST(JsonPatch, OperationErrors) {
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"bogus","path":"/a"}])"), "error: Unexpected kind: bogus");
  EXPECT_EQ(apply(R"({"a":1})", R"([{"path":"/a"}])"), "error: Unexpected kind: unknown");
  EXPECT_EQ(apply(R"({"a":1})", R"([null])"), "error: Unexpected kind: unknown");
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"remove","path":"/b"}])"),
            "error: error in remove for path: '/b': Unable to remove nonexistent key: b: missing value");
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"remove"}])"), "error: remove operation failed to decode path: missing value");
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"remove","path":"/x/y"}])"),
            "error: remove operation does not apply: doc is missing path: \"/x/y\": missing value");
  EXPECT_EQ(apply(R"({"a":"s"})", R"([{"op":"add","path":"/a/b","value":1}])"),
            "error: add operation does not apply: doc is missing path: \"/a/b\": missing value");
  EXPECT_EQ(apply(R"({"a":null})", R"([{"op":"add","path":"/a/b","value":1}])"),
            "error: add operation does not apply: doc is missing path: \"/a/b\": missing value");
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"move","from":"/x","path":"/b"}])"),
            "error: error in move for path: 'x': Unable to remove nonexistent key: x: missing value");
  EXPECT_EQ(apply(R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a/c"}])"),
            "error: move operation does not apply: doc is missing destination path: /a/c: missing value");
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"copy","from":"/a","path":"/x/y"}])"),
            "error: copy operation does not apply: doc is missing destination path: /x/y: missing value");
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"test","path":"/x/y","value":1}])"),
            "error: test operation does not apply: is missing path: /x/y: missing value");
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"move","path":"/b"}])"),
            "error: move operation failed to decode from: operation, missing from field: missing value");
}

TEST(JsonPatch, OperationsApplyInOrderAndStopAtTheFirstFailure) {
  expectResult(R"({"a":{"b":[1]}})", R"([{"op":"copy","from":"/a/b","path":"/c"},
      {"op":"add","path":"/c/-","value":2},{"op":"move","from":"/a","path":"/d"},
      {"op":"test","path":"/d/b/0","value":1}])", R"({"c":[1,2],"d":{"b":[1]}})");
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"add","path":"/b","value":2},{"op":"test","path":"/b","value":3}])"),
            "error: testing value /b failed: test failed");
  expectResult(R"({"a":1})", "null", R"({"a":1})");
  expectResult(R"({"a":1})", "[]", R"({"a":1})");
  expectResult(R"([1,2])", R"([{"op":"add","path":"/0","value":0}])", R"([0,1,2])");
}

TEST(JsonPatchDecode, LenientMessages) {
  EXPECT_EQ(parseError("{}"), "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  EXPECT_EQ(parseError("\"x\""), "json: cannot unmarshal string into Go value of type jsonpatch.Patch");
  EXPECT_EQ(parseError("[1]"), "json: cannot unmarshal number into Go value of type jsonpatch.Operation");
  EXPECT_EQ(parseError("[{},true]"), "json: cannot unmarshal bool into Go value of type jsonpatch.Operation");
  EXPECT_EQ(parseError("[[]]"), "json: cannot unmarshal array into Go value of type jsonpatch.Operation");
  EXPECT_EQ(parseError(""), "unexpected end of JSON input");
  EXPECT_EQ(parseError("[{\"op\":}]"), "invalid character '}' looking for beginning of value");
  EXPECT_EQ(parseError("[{\"op\":1}]"), "<ok>");
}

TEST(JsonPatchDecode, StrictMessages) {
  const auto strict = Decoding::Strict;
  EXPECT_EQ(parseError("x", strict), "error decoding patch: invalid character 'x' looking for beginning of value");
  EXPECT_EQ(parseError("{}", strict),
            "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp");
  EXPECT_EQ(parseError("[1]", strict),
            "error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp");
  EXPECT_EQ(parseError(R"([{"op":1}])", strict),
            "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string");
  EXPECT_EQ(parseError(R"([{"op":"add","path":["/a"]}])", strict),
            "error decoding patch: json: cannot unmarshal array into Go struct field jsonPatchOp.path of type string");
  EXPECT_EQ(parseError(R"([{"op":"add","path":null,"value":{"x":1}}])", strict), "<ok>");
}

TEST(JsonPatchDecode, StrictErrorsAreCollected) {
  auto p = JsonPatch::parse(
      R"([{"op":"add","path":"/a","value":{"b":1,"b":2},"foo":1,"op":"add","Path":"/x"},{"foo":{"a":1,"a":1}}])",
      Decoding::Strict);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->strictErrors(), (std::vector<std::string>{
                                   R"(json patch duplicate field "[0].value.b")",
                                   R"(json patch unknown field "[0].foo")",
                                   R"(json patch duplicate field "[0].op")",
                                   R"(json patch unknown field "[0].Path")",
                                   R"(json patch unknown field "[1].foo")",
                               }));
  EXPECT_TRUE(JsonPatch::parse(R"([{"op":"add","foo":1}])").value().strictErrors().empty());
}

TEST(ApplyJsonPatch, ApiserverStep) {
  auto doc = json(R"({"metadata":{"name":"x","labels":{"a":"1"}}})");
  auto ok = applyJsonPatch(doc, R"([{"op":"replace","path":"/metadata/labels/a","value":"2"}])", Decoding::Lenient);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->object, json(R"({"metadata":{"name":"x","labels":{"a":"2"}}})"));
  EXPECT_TRUE(ok->strictErrors.empty());

  auto failed = applyJsonPatch(doc, R"([{"op":"test","path":"/metadata/name","value":"y"}])", Decoding::Strict);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().reason, Reason::Invalid);
  EXPECT_EQ(failed.error().code(), 422);
  EXPECT_EQ(failed.error().message, "the server rejected our request due to an error in our request");

  auto malformed = applyJsonPatch(doc, R"({"op":"add"})", Decoding::Lenient);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code(), 400);

  auto strict = applyJsonPatch(doc, R"([{"op":"add","path":"/b","value":1,"bogus":1}])", Decoding::Strict);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->strictErrors, std::vector<std::string>{R"(json patch unknown field "[0].bogus")"});
}

TEST(ApplyJsonPatch, OperationLimit) {
  std::string body = "[";
  for (std::size_t i = 0; i <= kMaxJsonPatchOperations; ++i) body += R"({"op":"test","path":"/a","value":1},)";
  body.back() = ']';
  auto r = applyJsonPatch(json(R"({"a":1})"), body, Decoding::Strict);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::RequestEntityTooLarge);
  EXPECT_EQ(r.error().message, "The allowed maximum operations in a JSON patch is 10000, got 10001");
}

}  // namespace
}  // namespace kcpp::patch
