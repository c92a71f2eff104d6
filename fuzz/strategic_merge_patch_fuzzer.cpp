// Strategic merge patch bodies applied to a Deployment with the built-in
// schemas' patch metadata, strictly and leniently.
#include "api/patch/strategic_merge.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  const auto& schemas = fuzz::builtinSchemas();
  static const std::string root = schemas.rootName("apps", "v1", "Deployment");
  auto body = fuzz::asText(data, size);
  (void)patch::applyStrategicMergePatch(fuzz::deployment(), body, schemas, root, patch::Decoding::Strict);
  (void)patch::applyStrategicMergePatch(fuzz::deployment(), body, schemas, root, patch::Decoding::Lenient);
  return 0;
}
