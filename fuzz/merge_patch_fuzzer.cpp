// JSON Merge Patch (RFC 7386) bodies applied to a Deployment, strictly and leniently.
#include "api/patch/merge_patch.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  auto body = fuzz::asText(data, size);
  (void)patch::applyMergePatch(fuzz::deployment(), body, patch::Decoding::Strict);
  (void)patch::applyMergePatch(fuzz::deployment(), body, patch::Decoding::Lenient);
  return 0;
}
