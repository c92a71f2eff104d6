#include "controllers/serviceaccounttokens/tokens_controller.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "pki/base64.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string annotation(const json::object& obj, std::string_view key) {
  const json::object* meta = api::findObject(obj, "metadata");
  const json::object* annotations = meta ? api::findObject(*meta, "annotations") : nullptr;
  return annotations ? std::string(api::getString(*annotations, key)) : std::string();
}

std::string metaField(const json::object& obj, std::string_view key) {
  const json::object* meta = api::findObject(obj, "metadata");
  return meta ? std::string(api::getString(*meta, key)) : std::string();
}

// data[key], base64-decoded; empty when absent or undecodable.
std::string dataField(const json::object& secret, std::string_view key) {
  const json::object* data = api::findObject(secret, "data");
  if (!data) return "";
  auto decoded = pki::base64Decode(api::getString(*data, key));
  return decoded ? std::move(*decoded) : std::string();
}

std::string namespacedName(const json::object& obj) {
  return metaField(obj, "namespace") + "/" + metaField(obj, "name");
}

client::ResourcePath secretPath(const std::string& ns, const std::string& name) {
  client::ResourcePath path;
  path.version = "v1";
  path.resource = "secrets";
  path.ns = ns;
  path.name = name;
  return path;
}

client::ResourcePath tokenSecretsOnly() {
  client::ResourcePath path = secretPath("", "");
  path.query = "fieldSelector=type%3Dkubernetes.io%2Fservice-account-token";
  return path;
}

// NotFound and Conflict need no retry: the object is gone, or someone else
// wrote it and the watch brings that change back to the queue.
bool settled(const Error& e) { return e.reason == Reason::NotFound || e.reason == Reason::Conflict; }

}  // namespace

TokensController::TokensController(client::RestClient& client, client::InformerFactory& informers,
                                   asio::any_io_executor executor, LegacyTokenGenerator generate,
                                   std::string caPem)
    : client_(client),
      informers_(informers),
      serviceAccounts_(informers.forResource("", "v1", "serviceaccounts")),
      tokenSecrets_(informers.forCollection(tokenSecretsOnly())),
      executor_(executor),
      generate_(std::move(generate)),
      caPem_(std::move(caPem)),
      queue_(executor) {
  auto enqueue = [this](const client::ObjectPtr& secret) { queue_.add(namespacedName(*secret)); };
  tokenSecrets_.addHandlers({enqueue, [enqueue](const client::ObjectPtr&, const client::ObjectPtr& s) { enqueue(s); },
                             nullptr});
  tokenSecrets_.addIndexer("account", [](const json::object& secret) {
    return std::vector<std::string>{metaField(secret, "namespace") + "/" +
                                    annotation(secret, kServiceAccountNameAnnotation)};
  });
  // Only the ServiceAccounts' comings and goings matter: a deleted one takes its
  // tokens with it, one recreated under the same name invalidates the old ones.
  serviceAccounts_.addHandlers({[this](const client::ObjectPtr& a) { serviceAccountCameOrWent(a); }, nullptr,
                                [this](const client::ObjectPtr& a) { serviceAccountCameOrWent(a); }});
}

void TokensController::serviceAccountCameOrWent(const client::ObjectPtr& account) {
  for (const client::ObjectPtr& secret : tokenSecrets_.byIndex("account", namespacedName(*account))) {
    queue_.add(namespacedName(*secret));
  }
}

asio::awaitable<void> TokensController::run() {
  if (!co_await waitForCaches(informers_, executor_, "serviceaccount-token")) co_return;
  co_await runWorkers(queue_, 1, [this](const std::string& key) { return syncSecret(key); },
                      "serviceaccount-token");
}

void TokensController::stop() { queue_.shutDown(); }

asio::awaitable<Result<void>> TokensController::syncSecret(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) co_return Result<void>{};
  const std::string ns = key.substr(0, slash);
  const std::string name = key.substr(slash + 1);
  client::ObjectPtr secret = tokenSecrets_.get(key);
  if (!secret || api::getString(*secret, "type") != kServiceAccountTokenType) {
    co_return Result<void>{};  // gone: nothing to fill or delete
  }
  std::string accountName = annotation(*secret, kServiceAccountNameAnnotation);
  std::string wantedUid = annotation(*secret, kServiceAccountUidAnnotation);
  auto accountUid = co_await serviceAccountUid(ns, accountName, wantedUid);
  if (!accountUid) co_return std::move(accountUid).error();
  if (accountUid->empty()) {
    spdlog::debug("tokens controller: service account {}/{} does not exist, deleting token {}",
                  ns, accountName, key);
    co_return co_await deleteToken(ns, name, metaField(*secret, "uid"));
  }
  co_return co_await fillToken(ns, *secret, *accountUid);
}

// As upstream's getServiceAccount with fetchOnCacheMiss: the informer first,
// then the server (the informer may not have seen an account created just now).
asio::awaitable<Result<std::string>> TokensController::serviceAccountUid(const std::string& ns,
                                                                         const std::string& name,
                                                                         const std::string& uid) {
  if (name.empty()) co_return std::string();
  auto matching = [&](const json::object& account) -> std::string {
    std::string current = metaField(account, "uid");
    return uid.empty() || uid == current ? current : "";
  };
  if (client::ObjectPtr cached = serviceAccounts_.get(ns + "/" + name)) {
    if (std::string current = matching(*cached); !current.empty()) co_return current;
  }
  client::ResourcePath accountPath = secretPath(ns, name);
  accountPath.resource = "serviceaccounts";
  auto live = co_await client_.get(accountPath);
  if (!live) {
    if (live.error().reason == Reason::NotFound) co_return std::string();
    co_return std::move(live).error();
  }
  co_return matching(*live);
}

asio::awaitable<Result<void>> TokensController::deleteToken(const std::string& ns,
                                                            const std::string& name,
                                                            const std::string& uid) {
  // The uid precondition: never a Secret made again under the name.
  json::object options{{"apiVersion", "v1"}, {"kind", "DeleteOptions"},
                       {"preconditions", json::object{{"uid", uid}}}};
  auto path = secretPath(ns, name);
  auto deleted = co_await client_.remove(path, options);
  if (!deleted && !settled(deleted.error())) co_return std::move(deleted).error();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> TokensController::fillToken(const std::string& ns,
                                                          const json::object& cached,
                                                          const std::string& accountUid) {
  auto needs = [&](const json::object& secret) {
    return (!caPem_.empty() && dataField(secret, "ca.crt") != caPem_) ||
           dataField(secret, "namespace").empty() || dataField(secret, "token").empty() ||
           annotation(secret, kServiceAccountUidAnnotation).empty();
  };
  if (!needs(cached)) co_return Result<void>{};
  const std::string name = metaField(cached, "name");
  // Fill a fresh copy, and only if the cache was current: otherwise the event
  // of the newer version brings the Secret back to the queue.
  auto path = secretPath(ns, name);
  auto secret = co_await client_.get(path);
  if (!secret) {
    if (settled(secret.error())) co_return Result<void>{};
    co_return std::move(secret).error();
  }
  if (metaField(*secret, "resourceVersion") != metaField(cached, "resourceVersion") || !needs(*secret)) {
    co_return Result<void>{};
  }
  json::object& data = api::ensureObject(*secret, "data");
  if (!caPem_.empty()) data["ca.crt"] = pki::base64Encode(caPem_);
  if (dataField(*secret, "namespace").empty()) data["namespace"] = pki::base64Encode(ns);
  if (dataField(*secret, "token").empty()) {
    LegacyTokenRequest request{ns, annotation(*secret, kServiceAccountNameAnnotation), accountUid,
                               name};
    auto token = generate_(request);
    if (!token) co_return std::move(token).error();
    data["token"] = pki::base64Encode(*token);
  }
  json::object& annotations = api::ensureObject(api::ensureObject(*secret, "metadata"), "annotations");
  annotations[kServiceAccountUidAnnotation] = accountUid;
  // The resourceVersion read is a precondition: a write in between is a Conflict.
  auto updated = co_await client_.update(path, *secret);
  if (!updated && !settled(updated.error())) co_return std::move(updated).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
