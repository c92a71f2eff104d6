#include "pki/base64.h"

#include <openssl/err.h>

#include "pki/openssl_ptr.h"

namespace kcpp::pki {

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> base64Decode(std::string_view text) {
  EvpEncodeCtxPtr ctx(EVP_ENCODE_CTX_new());
  KCPP_CHECK(ctx != nullptr, "EVP_ENCODE_CTX_new failed");
  EVP_DecodeInit(ctx.get());
  std::string out(3 * (text.size() / 4) + 3, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int written = 0;
  int tail = 0;
  if (EVP_DecodeUpdate(ctx.get(), dst, &written, reinterpret_cast<const unsigned char*>(text.data()),
                       static_cast<int>(text.size())) < 0 ||
      EVP_DecodeFinal(ctx.get(), dst + written, &tail) != 1) {
    ERR_clear_error();
    return makeError(Reason::BadRequest, "invalid base64 data");
  }
  out.resize(static_cast<size_t>(written + tail));
  return out;
}

}  // namespace kcpp::pki
