#pragma once
// Content digests as OCI writes them: "sha256:<64 lower-case hex>".

#include <string>
#include <string_view>

namespace kcpp::kubelet::images {

// Lower-case hex SHA-256 of `bytes` (OpenSSL).
std::string sha256Hex(std::string_view bytes);

// "sha256:" + sha256Hex(bytes): an OCI descriptor's digest.
std::string sha256Digest(std::string_view bytes);

}  // namespace kcpp::kubelet::images
