// JSON Patch (RFC 6902) bodies applied to a Deployment, strictly and leniently.
#include "api/patch/json_patch.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  auto body = fuzz::asText(data, size);
  (void)patch::applyJsonPatch(fuzz::deployment(), body, patch::Decoding::Strict);
  (void)patch::applyJsonPatch(fuzz::deployment(), body, patch::Decoding::Lenient);
  return 0;
}
