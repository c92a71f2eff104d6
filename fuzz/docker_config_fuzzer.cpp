// Pull secrets: the first line is an image reference, the rest the content of a
// .dockerconfigjson / .dockercfg secret (user input that reaches every node's
// kubelet). Also registry-key globbing on the two halves.
#include <boost/json.hpp>

#include "kubelet/images/pull_credentials.h"
#include "pki/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  namespace json = boost::json;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t nl = input.find('\n');
  std::string_view image = input.substr(0, nl);
  std::string_view config = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
  std::string encoded = pki::base64Encode(config);
  std::vector<json::object> secrets;
  for (auto [type, key] : {std::pair{"kubernetes.io/dockerconfigjson", ".dockerconfigjson"},
                           std::pair{"kubernetes.io/dockercfg", ".dockercfg"}}) {
    json::object s;
    s["type"] = type;
    s["data"] = json::object{{key, encoded}};
    secrets.push_back(std::move(s));
  }
  (void)kubelet::images::pullCredentials(secrets, image);
  (void)kubelet::images::pullCredentials({secrets[1]}, image);
  (void)kubelet::images::registryMatches(image, config.substr(0, 300));
  return 0;
}
