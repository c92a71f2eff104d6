#include "kubelet/images/digest.h"

#include <openssl/evp.h>

#include "util/error.h"

namespace kcpp::kubelet::images {

std::string sha256Hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest fails only on allocation failure or a missing algorithm: a broken host.
  int ok = EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  KCPP_CHECK(ok == 1 && len == 32, "SHA-256 is unavailable");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

std::string sha256Digest(std::string_view bytes) { return "sha256:" + sha256Hex(bytes); }

}  // namespace kcpp::kubelet::images
