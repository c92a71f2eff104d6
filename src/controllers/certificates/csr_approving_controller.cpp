#include "controllers/certificates/csr_approving_controller.h"

#include "api/meta/object.h"
#include "controllers/certificates/csr_util.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace json = boost::json;

CsrApprovingController::CsrApprovingController(client::RestClient& client, client::InformerFactory& informers,
                                               asio::any_io_executor executor)
    : client_(client),
      informers_(informers),
      executor_(executor),
      csrs_(informers.forResource("certificates.k8s.io", "v1", "certificatesigningrequests")),
      queue_(executor) {
  client::EventHandlers handlers;
  handlers.onAdd = [this](const client::ObjectPtr& o) { queue_.add(std::string(api::metaName(*o))); };
  handlers.onUpdate = [this](const client::ObjectPtr&, const client::ObjectPtr& o) {
    queue_.add(std::string(api::metaName(*o)));
  };
  csrs_.addHandlers(std::move(handlers));
}

asio::awaitable<void> CsrApprovingController::run() {
  if (!co_await waitForCaches(informers_, executor_, "csrapproving")) co_return;
  co_await runWorkers(queue_, 1, [this](const std::string& key) { return sync(key); }, "csrapproving");
}

asio::awaitable<Result<bool>> CsrApprovingController::authorized(const json::object& csr,
                                                                 const std::string& subresource) {
  const json::object* spec = api::findObject(csr, "spec");
  json::object sarSpec;
  sarSpec["user"] = api::getString(*spec, "username");
  if (const json::value* uid = spec->if_contains("uid")) sarSpec["uid"] = *uid;
  if (const json::value* groups = spec->if_contains("groups")) sarSpec["groups"] = *groups;
  if (const json::value* extra = spec->if_contains("extra")) sarSpec["extra"] = *extra;
  sarSpec["resourceAttributes"] = json::object{{"group", "certificates.k8s.io"},
                                               {"resource", "certificatesigningrequests"},
                                               {"verb", "create"},
                                               {"subresource", subresource}};
  json::object sar{{"apiVersion", "authorization.k8s.io/v1"}, {"kind", "SubjectAccessReview"}};
  sar["spec"] = std::move(sarSpec);
  client::ResourcePath path{"authorization.k8s.io", "v1", "subjectaccessreviews", "", "", "", ""};
  auto answer = co_await client_.create(path, sar);
  if (!answer) co_return std::move(answer).error();
  const json::value* allowed = api::findPath(*answer, "status.allowed");
  co_return allowed && allowed->is_bool() && allowed->get_bool();
}

asio::awaitable<Result<void>> CsrApprovingController::sync(const std::string& name) {
  client::ObjectPtr cached = csrs_.get(name);
  if (!cached) co_return Result<void>{};
  const json::object& obj = *cached;
  if (csr::hasCondition(obj, "Approved") || csr::hasCondition(obj, "Denied")) co_return Result<void>{};
  const json::object* spec = api::findObject(obj, "spec");
  if (!spec || api::getString(*spec, "signerName") != csr::kKubeletClientSigner) co_return Result<void>{};
  auto request = csr::parseRequest(obj);
  if (!request || !csr::isNodeClientCert(*request, csr::usagesOf(obj))) co_return Result<void>{};
  // Renewing its own credential first, then asking for a node's (upstream's recognizers).
  std::vector<std::string> permissions;
  if (api::getString(*spec, "username") == request->commonName) permissions.push_back("selfnodeclient");
  permissions.push_back("nodeclient");
  bool approved = false;
  for (const std::string& subresource : permissions) {
    auto allowed = co_await authorized(obj, subresource);
    if (!allowed) co_return std::move(allowed).error();
    if (*allowed) {
      approved = true;
      break;
    }
  }
  if (!approved) co_return Result<void>{};
  json::object next = obj;
  next["apiVersion"] = "certificates.k8s.io/v1";
  next["kind"] = "CertificateSigningRequest";
  json::object& status = api::ensureObject(next, "status");
  json::array conditions;
  if (const json::value* c = status.if_contains("conditions"); c && c->is_array()) conditions = c->get_array();
  std::string now = api::nowTime();
  conditions.push_back(json::object{{"type", "Approved"}, {"status", "True"}, {"reason", "AutoApproved"},
                                    {"message", "Auto approving kubelet client certificate after SubjectAccessReview."},
                                    {"lastUpdateTime", now}, {"lastTransitionTime", now}});
  status["conditions"] = std::move(conditions);
  client::ResourcePath path{"certificates.k8s.io", "v1", "certificatesigningrequests", "", name, "approval", ""};
  auto written = co_await client_.update(path, next);
  if (!written) co_return std::move(written).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
