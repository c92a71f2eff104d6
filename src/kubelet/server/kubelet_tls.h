#pragma once
// The kubelet server's TLS: a serving certificate from --tls-cert-file /
// --tls-private-key-file, else (as upstream's kubelet) a self-signed one for
// the node's names; client certificates verified against --client-ca-file.

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "util/error.h"

namespace kcpp::kubelet::server {

struct KubeletTlsFiles {
  std::filesystem::path certFile;
  std::filesystem::path keyFile;
  std::filesystem::path clientCaFile;
};

Result<void> configureKubeletServerTls(boost::asio::ssl::context& ctx, const KubeletTlsFiles& files,
                                       const std::string& nodeName, const std::vector<std::string>& addresses);

}  // namespace kcpp::kubelet::server
