#include "controllers/certificates/csr_signing_controller.h"

#include <algorithm>

#include "api/meta/object.h"
#include "controllers/certificates/csr_util.h"
#include "pki/base64.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

const client::ResourcePath kCsrs{"certificates.k8s.io", "v1", "certificatesigningrequests", "", "", "", ""};

// Upstream's per-signer rules (signer.go isKubeletServing / isKubeletClient /
// isAPIServerClient): why `request` must not be signed, if it must not.
std::optional<std::string> signerRejects(const std::string& signer, const pki::CsrInfo& request,
                                         const std::set<std::string>& usages) {
  auto onlyUsages = [&](const std::set<std::string>& allowed, const std::string& needed) -> std::optional<std::string> {
    for (const std::string& u : usages) {
      if (!allowed.count(u)) return "usage \"" + u + "\" is not allowed";
    }
    if (!usages.count(needed)) return "missing required usage \"" + needed + "\"";
    return std::nullopt;
  };
  if (signer == csr::kKubeletClientSigner) {
    if (!csr::isNodeClientCert(request, usages)) return "invalid kubelet client certificate request";
    return std::nullopt;
  }
  if (signer == csr::kKubeletServingSigner) {
    if (request.organizations != std::vector<std::string>{"system:nodes"}) return "subject organization is not system:nodes";
    if (!request.commonName.starts_with("system:node:")) return "subject common name does not begin with system:node:";
    return onlyUsages({"key encipherment", "digital signature", "server auth"}, "server auth");
  }
  return onlyUsages({"key encipherment", "digital signature", "client auth"}, "client auth");
}

}  // namespace

CsrSigningController::CsrSigningController(client::RestClient& client, client::InformerFactory& informers,
                                           asio::any_io_executor executor, CsrSigningOptions options)
    : client_(client),
      informers_(informers),
      executor_(executor),
      csrs_(informers.forResource("certificates.k8s.io", "v1", "certificatesigningrequests")),
      queue_(executor),
      options_(std::move(options)) {
  client::EventHandlers handlers;
  handlers.onAdd = [this](const client::ObjectPtr& o) { queue_.add(std::string(api::metaName(*o))); };
  handlers.onUpdate = [this](const client::ObjectPtr&, const client::ObjectPtr& o) {
    queue_.add(std::string(api::metaName(*o)));
  };
  csrs_.addHandlers(std::move(handlers));
}

asio::awaitable<void> CsrSigningController::run() {
  if (!co_await waitForCaches(informers_, executor_, "csrsigning")) co_return;
  co_await runWorkers(queue_, 1, [this](const std::string& key) { return sync(key); }, "csrsigning");
}

asio::awaitable<Result<void>> CsrSigningController::sync(const std::string& name) {
  client::ObjectPtr cached = csrs_.get(name);
  if (!cached) co_return Result<void>{};
  const json::object& obj = *cached;
  if (!csr::hasCondition(obj, "Approved") || csr::hasCondition(obj, "Denied") || csr::hasCondition(obj, "Failed")) {
    co_return Result<void>{};
  }
  const json::value* issued = api::findPath(obj, "status.certificate");
  if (issued && issued->is_string() && !issued->get_string().empty()) co_return Result<void>{};
  std::string signer(api::getString(*api::findObject(obj, "spec"), "signerName"));
  auto ca = options_.signers.find(signer);
  if (ca == options_.signers.end() || !ca->second) co_return Result<void>{};  // another signer's
  json::object next = obj;
  next["apiVersion"] = "certificates.k8s.io/v1";
  next["kind"] = "CertificateSigningRequest";
  json::object& status = api::ensureObject(next, "status");
  auto request = csr::parseRequest(obj);
  std::set<std::string> usages = csr::usagesOf(obj);
  std::optional<std::string> rejected = request ? signerRejects(signer, *request, usages)
                                                : std::optional<std::string>(request.error().message);
  if (rejected) {
    json::array conditions;
    if (const json::value* c = status.if_contains("conditions"); c && c->is_array()) conditions = c->get_array();
    std::string now = api::nowTime();
    conditions.push_back(json::object{{"type", "Failed"}, {"status", "True"}, {"reason", "SignerValidationFailure"},
                                      {"message", *rejected}, {"lastUpdateTime", now}, {"lastTransitionTime", now}});
    status["conditions"] = std::move(conditions);
    co_return co_await writeStatus(std::move(next));
  }
  pki::CertificateSpec spec;
  spec.commonName = request->commonName;
  spec.organizations = request->organizations;
  spec.altNames = request->altNames;
  spec.extKeyUsages.push_back(signer == csr::kKubeletServingSigner ? pki::ExtKeyUsage::ServerAuth
                                                                    : pki::ExtKeyUsage::ClientAuth);
  spec.validity = options_.duration;
  if (const json::value* seconds = api::findPath(obj, "spec.expirationSeconds"); seconds && seconds->is_int64()) {
    spec.validity = std::min(spec.validity, std::chrono::seconds(seconds->get_int64()));
  }
  auto cert = pki::issueCertificateForKey(spec, request->publicKey.get(), *ca->second);
  if (!cert) co_return std::move(cert).error();
  status["certificate"] = pki::base64Encode(pki::certificateToPem(cert->get()));
  co_return co_await writeStatus(std::move(next));
}

asio::awaitable<Result<void>> CsrSigningController::writeStatus(json::object csr) {
  client::ResourcePath path = kCsrs;
  path.name = std::string(api::metaName(csr));
  path.subresource = "status";
  auto written = co_await client_.update(path, csr);
  if (!written) co_return std::move(written).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
