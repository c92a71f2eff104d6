// Kubernetes protobuf request bodies ("k8s\0" + runtime.Unknown) decoded to JSON
// with the built-in descriptors.
#include "api/protobuf/kubernetes_protobuf.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  auto body = fuzz::asText(data, size);
  if (auto json = protobuf::decodeKubernetesProtobuf(body)) (void)boost::json::serialize(*json);
  return 0;
}
