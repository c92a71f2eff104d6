#include "client/certbootstrap/cert_bootstrap.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/sha.h>

#include "api/meta/object.h"
#include "pki/base64.h"
#include "pki/csr.h"

namespace kcpp::client::certbootstrap {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

const ResourcePath kCsrs{"certificates.k8s.io", "v1", "certificatesigningrequests", "", "", "", ""};

// "Denied"/"Failed" with its reason and message, if the request ended so.
std::optional<std::string> refusal(const json::object& csr) {
  const json::value* conditions = api::findPath(csr, "status.conditions");
  if (!conditions || !conditions->is_array()) return std::nullopt;
  for (const json::value& c : conditions->get_array()) {
    if (!c.is_object()) continue;
    std::string_view type = api::getString(c.get_object(), "type");
    if (type != "Denied" && type != "Failed") continue;
    return std::string(type) + " (" + std::string(api::getString(c.get_object(), "reason")) + "): " +
           std::string(api::getString(c.get_object(), "message"));
  }
  return std::nullopt;
}

}  // namespace

Result<void> verifyCaHash(std::string_view caPem, std::string_view token) {
  auto sep = token.find("::");
  if (!token.starts_with("K10") || sep == std::string_view::npos) return {};
  std::string_view want = token.substr(3, sep - 3);
  if (want == sha256Hex(caPem)) return {};
  return makeError(Reason::Unauthorized, "the server's CA does not match the token's CA hash (" + std::string(want) +
                                             "): refusing to trust it");
}

asio::awaitable<Result<NodeCredentials>> requestNodeCredentials(RestClient& bootstrap, std::string nodeName,
                                                                std::chrono::milliseconds timeout) {
  auto key = pki::generateKey();
  if (!key) co_return std::move(key).error();
  auto request = pki::createCsrPem(key->get(), "system:node:" + nodeName, {"system:nodes"});
  if (!request) co_return std::move(request).error();
  json::object csr{{"apiVersion", "certificates.k8s.io/v1"}, {"kind", "CertificateSigningRequest"}};
  csr["metadata"] = json::object{{"generateName", "node-csr-"}};
  csr["spec"] = json::object{{"request", pki::base64Encode(*request)},
                             {"signerName", "kubernetes.io/kube-apiserver-client-kubelet"},
                             {"usages", json::array{"digital signature", "client auth"}}};
  auto created = co_await bootstrap.create(kCsrs, csr);
  if (!created) co_return std::move(created).error();
  NodeCredentials out;
  out.csrName = std::string(api::metaName(*created));
  out.keyPem = pki::privateKeyToPem(key->get());
  ResourcePath one = kCsrs;
  one.name = out.csrName;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto current = co_await bootstrap.get(one);
    if (!current) co_return std::move(current).error();
    if (auto refused = refusal(*current)) {
      co_return makeError(Reason::Forbidden, "certificate signing request " + out.csrName + " " + *refused);
    }
    const json::value* issued = api::findPath(*current, "status.certificate");
    if (issued && issued->is_string() && !issued->get_string().empty()) {
      auto pem = pki::base64Decode(issued->get_string());
      if (!pem) co_return std::move(pem).error();
      out.certificatePem = std::move(*pem);
      co_return out;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      co_return makeError(Reason::Timeout, "certificate signing request " + out.csrName +
                                               " was not approved and issued in time");
    }
    timer.expires_after(std::chrono::milliseconds(200));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace kcpp::client::certbootstrap
