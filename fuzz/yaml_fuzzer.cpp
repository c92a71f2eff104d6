// YAML request bodies: apiserver::yamlToJson (and decodeBody with a YAML
// Content-Type), then the JSON → YAML writer on what came out.
#include "apiserver/handlers/codec.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  auto text = fuzz::asText(data, size);
  auto json = apiserver::yamlToJson(text);
  if (json) {
    std::string yaml = apiserver::jsonToYaml(*json);
    (void)apiserver::yamlToJson(yaml);
  }
  (void)apiserver::decodeBody("application/yaml", text);
  return 0;
}
