// JSON decoding of an object: api::parseJson, then the strict field walk
// (unknown fields, wrong types) against the built-in Pod schema, as a create
// with fieldValidation=Strict does; also pruning and the merge-patch mode.
#include "api/meta/object.h"
#include "api/schema/field_validation.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  const auto& schemas = fuzz::builtinSchemas();
  static const std::string podRoot = schemas.rootName("", "v1", "Pod");
  auto parsed = api::parseJson(fuzz::asText(data, size));
  if (!parsed || !parsed->is_object()) return 0;
  boost::json::object copy = parsed->as_object();
  auto check = api::checkFields(schemas, podRoot, parsed->as_object());
  if (!check.unknownFields.empty()) (void)api::strictDecodingMessage(check.unknownFields);
  auto pruned = api::checkFields(schemas, podRoot, copy, {.prune = true, .mergePatch = true});
  // The walk stops at the first wrong type (decoding fails there); otherwise,
  // after pruning nothing unknown is left.
  if (pruned.typeError) return 0;
  auto again = api::checkFields(schemas, podRoot, copy, {.mergePatch = true});
  if (!again.unknownFields.empty()) {
    std::fprintf(stderr, "unknown field left after pruning: %s\n", again.unknownFields.front().c_str());
    std::abort();
  }
  return 0;
}
