#include "kubelet/server/kubelet_tls.h"

#include <ctime>
#include <fstream>
#include <sstream>

#include "pki/certificate.h"
#include "pki/tls_context.h"

namespace kcpp::kubelet::server {

namespace {

Result<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(Reason::InternalError, "cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Result<void> configureKubeletServerTls(boost::asio::ssl::context& ctx, const KubeletTlsFiles& files,
                                       const std::string& nodeName, const std::vector<std::string>& addresses) {
  pki::CertifiedKey serving;
  if (!files.certFile.empty()) {
    auto certPem = readFile(files.certFile);
    if (!certPem) return certPem.error();
    auto keyPem = readFile(files.keyFile);
    if (!keyPem) return keyPem.error();
    auto cert = pki::certificateFromPem(*certPem);
    if (!cert) return cert.error();
    auto key = pki::privateKeyFromPem(*keyPem);
    if (!key) return key.error();
    serving.cert = std::move(*cert);
    serving.key = std::move(*key);
  } else {
    // Upstream's fallback: a self-signed CA "<host>-ca@<time>" and a serving
    // certificate from it, kept in memory.
    auto ca = pki::createSelfSignedCa(nodeName + "-ca@" + std::to_string(std::time(nullptr)));
    if (!ca) return ca.error();
    pki::CertificateSpec spec;
    spec.commonName = nodeName + "@" + std::to_string(std::time(nullptr));
    std::vector<std::string> names{nodeName, "localhost", "127.0.0.1"};
    names.insert(names.end(), addresses.begin(), addresses.end());
    spec.altNames = pki::classifyAltNames(names);
    spec.extKeyUsages = {pki::ExtKeyUsage::ServerAuth};
    auto leaf = pki::issueCertificate(spec, *ca);
    if (!leaf) return leaf.error();
    serving = std::move(*leaf);
  }
  pki::X509Ptr clientCa;
  if (!files.clientCaFile.empty()) {
    auto pem = readFile(files.clientCaFile);
    if (!pem) return pem.error();
    auto ca = pki::certificateFromPem(*pem);
    if (!ca) return ca.error();
    clientCa = std::move(*ca);
  }
  return pki::configureServerTls(ctx, serving, clientCa.get());
}

}  // namespace kcpp::kubelet::server
