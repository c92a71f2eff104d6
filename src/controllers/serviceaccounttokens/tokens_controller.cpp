#include "controllers/serviceaccounttokens/tokens_controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "util/sleep.h"
#include "pki/base64.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace json = boost::json;
using storage::WatchEvent;

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

bool isTokenSecret(const storage::Attributes& attrs) {
  return attrs.field("type") == kServiceAccountTokenType;
}

// Counts the coroutines run() started, so that it returns after the last one.
class Running {
 public:
  explicit Running(int& count) : count_(count) { ++count_; }
  ~Running() { --count_; }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

 private:
  int& count_;
};

// NotFound and Conflict need no retry: the object is gone, or someone else
// wrote it and the watch brings that change back to the queue.
bool settled(const Error& e) { return e.reason == Reason::NotFound || e.reason == Reason::Conflict; }

}  // namespace

TokensController::TokensController(apiserver::Registry& secrets,
                                   apiserver::Registry& serviceAccounts,
                                   LegacyTokenGenerator generate, std::string caPem,
                                   TokensControllerOptions options)
    : secrets_(secrets),
      serviceAccounts_(serviceAccounts),
      generate_(std::move(generate)),
      caPem_(std::move(caPem)),
      options_(options) {}

TokensController::~TokensController() = default;

asio::awaitable<void> TokensController::run(const std::atomic<bool>& stop) {
  strand_ = std::make_unique<asio::strand<asio::any_io_executor>>(
      asio::make_strand(co_await asio::this_coro::executor));
  queue_ = std::make_unique<client::WorkQueue>(*strand_);
  auto body = [this, &stop]() -> asio::awaitable<void> {
    auto start = [this](asio::awaitable<void> work) {
      asio::co_spawn(*strand_, std::move(work), asio::detached);
    };
    start(watchSecrets(stop));
    start(watchServiceAccounts(stop));
    start(worker());
    while (!stop) co_await sleepFor(options_.stopCheck);
    queue_->shutDown();
    while (running_ > 0) co_await sleepFor(std::chrono::milliseconds(10));
  };
  co_await asio::co_spawn(*strand_, body(), asio::use_awaitable);
}

asio::awaitable<void> TokensController::watchSecrets(const std::atomic<bool>& stop) {
  Running running(running_);
  Result<storage::CacheWatcherPtr> watcher = makeError(Reason::ServiceUnavailable, "not started");
  while (!stop) {
    if (!watcher) {
      // Every token Secret comes again as Added, and is synced again.
      tokensByAccount_.clear();
      accountOfToken_.clear();
      watcher = secrets_.watch("", isTokenSecret, 0, true);
      if (!watcher) co_await sleepFor(options_.stopCheck);
      continue;
    }
    auto events = co_await (*watcher)->next(options_.stopCheck);
    if (!events) {
      watcher = std::move(events).error();
      continue;
    }
    for (const auto& event : *events) secretChanged(event);
  }
}

void TokensController::secretChanged(const WatchEvent& event) {
  if (event.type == WatchEvent::Type::Bookmark) return;
  std::string key = event.object.field("metadata.namespace") + "/" +
                    event.object.field("metadata.name");
  if (auto it = accountOfToken_.find(key); it != accountOfToken_.end()) {
    tokensByAccount_[it->second].erase(key);
    if (tokensByAccount_[it->second].empty()) tokensByAccount_.erase(it->second);
    accountOfToken_.erase(it);
  }
  if (event.type == WatchEvent::Type::Deleted) return;
  if (auto secret = event.object.parsedObject()) {
    std::string account = event.object.field("metadata.namespace") + "/" +
                          annotation(*secret, kServiceAccountNameAnnotation);
    accountOfToken_[key] = account;
    tokensByAccount_[account].insert(key);
  }
  queue_->add(key);
}

// Only the ServiceAccounts' comings and goings matter: a deleted one takes its
// tokens with it, one recreated under the same name invalidates the old ones.
// The secrets watch's initial state covers what happened while not watching.
asio::awaitable<void> TokensController::watchServiceAccounts(const std::atomic<bool>& stop) {
  Running running(running_);
  Result<storage::CacheWatcherPtr> watcher = makeError(Reason::ServiceUnavailable, "not started");
  while (!stop) {
    if (!watcher) {
      watcher = serviceAccounts_.watch("", nullptr, 0, false);
      if (!watcher) {
        co_await sleepFor(options_.stopCheck);
      } else {
        for (const auto& [key, account] : accountOfToken_) queue_->add(key);  // may have missed some
      }
      continue;
    }
    auto events = co_await (*watcher)->next(options_.stopCheck);
    if (!events) {
      watcher = std::move(events).error();
      continue;
    }
    for (const auto& event : *events) serviceAccountChanged(event);
  }
}

void TokensController::serviceAccountChanged(const WatchEvent& event) {
  if (event.type != WatchEvent::Type::Added && event.type != WatchEvent::Type::Deleted) return;
  std::string account = event.object.field("metadata.namespace") + "/" +
                        event.object.field("metadata.name");
  auto it = tokensByAccount_.find(account);
  if (it == tokensByAccount_.end()) return;
  for (const std::string& key : it->second) queue_->add(key);
}

asio::awaitable<void> TokensController::worker() {
  Running running(running_);
  while (auto key = co_await queue_->get()) {
    auto synced = co_await syncSecret(*key);
    if (synced) {
      queue_->forget(*key);
    } else {
      spdlog::debug("tokens controller: secret {}: {}", *key, synced.error().message);
      queue_->addRateLimited(*key);
    }
    queue_->done(*key);
  }
}

asio::awaitable<Result<void>> TokensController::syncSecret(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) co_return Result<void>{};
  const std::string ns = key.substr(0, slash);
  const std::string name = key.substr(slash + 1);
  auto cached = secrets_.cache().peek(secrets_.key(ns, name));
  if (!cached) co_return Result<void>{};  // gone: nothing to fill or delete
  auto secret = cached->parsedObject();
  if (!secret || api::getString(*secret, "type") != kServiceAccountTokenType) {
    co_return Result<void>{};
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

// As upstream's getServiceAccount with fetchOnCacheMiss: the cache first, then
// the store (the cache may not have seen an account created just now).
asio::awaitable<Result<std::string>> TokensController::serviceAccountUid(const std::string& ns,
                                                                         const std::string& name,
                                                                         const std::string& uid) {
  if (name.empty()) co_return std::string();
  auto matching = [&](const storage::CachedObject& found) -> std::string {
    auto account = found.parsedObject();
    std::string current = account ? metaField(*account, "uid") : "";
    return uid.empty() || uid == current ? current : "";
  };
  if (auto cached = serviceAccounts_.cache().peek(serviceAccounts_.key(ns, name))) {
    if (std::string current = matching(*cached); !current.empty()) co_return current;
  }
  auto live = co_await serviceAccounts_.get(ns, name);
  if (!live) {
    if (live.error().reason == Reason::NotFound) co_return std::string();
    co_return std::move(live).error();
  }
  co_return matching(*live);
}

asio::awaitable<Result<void>> TokensController::deleteToken(const std::string& ns,
                                                            const std::string& name,
                                                            const std::string& uid) {
  apiserver::DeleteOptions options;  // no requester: the server's own write
  options.preconditionUid = uid;     // never a Secret made again under the name
  auto deleted = co_await secrets_.remove(ns, name, options);
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
  auto live = co_await secrets_.get(ns, name);
  if (!live) {
    if (settled(live.error())) co_return Result<void>{};
    co_return std::move(live).error();
  }
  auto secret = live->parsedObject();
  if (!secret || metaField(*secret, "resourceVersion") != metaField(cached, "resourceVersion") ||
      !needs(*secret)) {
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
  apiserver::WriteOptions asServer;  // no user: not admitted
  // The resourceVersion read is a precondition: a write in between is a Conflict.
  auto updated = co_await secrets_.update(ns, name, std::move(*secret),
                                          apiserver::Subresource::None, asServer);
  if (!updated && !settled(updated.error())) co_return std::move(updated).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
