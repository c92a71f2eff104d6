#include "pki/openssl_ptr.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

namespace kcpp::pki {

void OpenSslFree::operator()(void* p) const { OPENSSL_free(p); }

std::string drainOpenSslErrors() {
  std::string out;
  char buf[256];
  while (unsigned long code = ERR_get_error()) {
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error queued" : out;
}

Error openSslError(const std::string& what) {
  return makeError(Reason::InternalError, what + ": " + drainOpenSslErrors());
}

BioPtr newMemoryBio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  KCPP_CHECK(bio != nullptr, "BIO_new(BIO_s_mem()) failed");
  return bio;
}

std::string memoryBioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace kcpp::pki
