#pragma once
// TokensController (upstream pkg/controller/serviceaccount's TokensController,
// as since 1.24: token Secrets are made only when asked for). A user asks by
// creating a Secret of type kubernetes.io/service-account-token annotated
// kubernetes.io/service-account.name; the controller then
//   - deletes it when that ServiceAccount does not exist, or is not the one the
//     kubernetes.io/service-account.uid annotation names (uid precondition);
//   - otherwise fills data.token (a legacy token signed with the server's
//     service-account key), data.ca.crt (the cluster CA) and data.namespace,
//     and sets the uid annotation.
// A ServiceAccount's deletion deletes its token Secrets the same way.
//
// It runs inside the API server against the registries' watch caches and
// writes as the server (no user: not admitted), like the other in-process
// controllers; what it uses of the registries (watch, get, update, delete) is
// what a client library will give it when it moves to a controller-manager.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "apiserver/registry/registry.h"
#include "client/workqueue/work_queue.h"
#include "util/error.h"

namespace kcpp::controllers {

inline constexpr const char* kServiceAccountTokenType = "kubernetes.io/service-account-token";
inline constexpr const char* kServiceAccountNameAnnotation = "kubernetes.io/service-account.name";
inline constexpr const char* kServiceAccountUidAnnotation = "kubernetes.io/service-account.uid";

// What a legacy token needs to be signed.
struct LegacyTokenRequest {
  std::string ns;
  std::string serviceAccountName;
  std::string serviceAccountUid;
  std::string secretName;
};
using LegacyTokenGenerator = std::function<Result<std::string>(const LegacyTokenRequest&)>;

struct TokensControllerOptions {
  // How often the loops look at the stop flag.
  std::chrono::milliseconds stopCheck = std::chrono::seconds(1);
};

class TokensController {
 public:
  // `caPem`: what data.ca.crt holds (the CA of the API server's serving certificate).
  TokensController(apiserver::Registry& secrets, apiserver::Registry& serviceAccounts,
                   LegacyTokenGenerator generate, std::string caPem,
                   TokensControllerOptions options = {});
  ~TokensController();
  // Watches and syncs; returns once `stop` is set and its coroutines ended.
  boost::asio::awaitable<void> run(const std::atomic<bool>& stop);

  // One token Secret, "namespace/name": delete it or fill it as needed.
  boost::asio::awaitable<Result<void>> syncSecret(const std::string& key);

 private:
  boost::asio::awaitable<void> watchSecrets(const std::atomic<bool>& stop);
  boost::asio::awaitable<void> watchServiceAccounts(const std::atomic<bool>& stop);
  boost::asio::awaitable<void> worker();
  void secretChanged(const storage::WatchEvent& event);
  void serviceAccountChanged(const storage::WatchEvent& event);
  // The uid of the ServiceAccount if it exists and (when `uid` is set) has
  // that uid; empty when there is none; an error when it could not be read.
  boost::asio::awaitable<Result<std::string>> serviceAccountUid(const std::string& ns,
                                                                const std::string& name,
                                                                const std::string& uid);
  boost::asio::awaitable<Result<void>> deleteToken(const std::string& ns, const std::string& name,
                                                   const std::string& uid);
  boost::asio::awaitable<Result<void>> fillToken(const std::string& ns,
                                                 const boost::json::object& cached,
                                                 const std::string& accountUid);

  apiserver::Registry& secrets_;
  apiserver::Registry& serviceAccounts_;
  LegacyTokenGenerator generate_;
  std::string caPem_;
  TokensControllerOptions options_;
  std::unique_ptr<boost::asio::strand<boost::asio::any_io_executor>> strand_;
  std::unique_ptr<client::WorkQueue> queue_;
  // Token Secrets ("ns/name") by the ServiceAccount ("ns/name") they name, from
  // the secrets watch (on the strand): what a ServiceAccount event requeues.
  std::map<std::string, std::set<std::string>> tokensByAccount_;
  std::map<std::string, std::string> accountOfToken_;
  int running_ = 0;  // coroutines started by run() still going
};

}  // namespace kcpp::controllers
