#pragma once
// TokensController (upstream pkg/controller/serviceaccount's TokensController,
// as since 1.24: token Secrets are made only when asked for). A user asks by
// creating a Secret of type kubernetes.io/service-account-token annotated
// kubernetes.io/service-account.name; the controller then
//   - deletes it when that ServiceAccount does not exist, or is not the one the
//     kubernetes.io/service-account.uid annotation names (uid precondition);
//   - otherwise fills data.token (a legacy token signed with the
//     service-account key), data.ca.crt (the cluster CA) and data.namespace,
//     and sets the uid annotation.
// A ServiceAccount's deletion deletes its token Secrets the same way.
//
// It follows only token Secrets (an informer filtered by type) and the
// ServiceAccounts (shared informer).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>

#include "client/informer/informer.h"
#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"

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

class TokensController : public Controller {
 public:
  // `caPem`: what data.ca.crt holds (the CA of the API server's serving certificate).
  TokensController(client::RestClient& client, client::InformerFactory& informers,
                   boost::asio::any_io_executor executor, LegacyTokenGenerator generate, std::string caPem);

  boost::asio::awaitable<void> run() override;
  void stop() override;

  // One token Secret, "namespace/name": delete it or fill it as needed.
  boost::asio::awaitable<Result<void>> syncSecret(const std::string& key);

 private:
  void serviceAccountCameOrWent(const client::ObjectPtr& account);
  // The uid of the ServiceAccount if it exists and (when `uid` is set) has
  // that uid; empty when there is none; an error when it could not be read.
  boost::asio::awaitable<Result<std::string>> serviceAccountUid(const std::string& ns, const std::string& name,
                                                                const std::string& uid);
  boost::asio::awaitable<Result<void>> deleteToken(const std::string& ns, const std::string& name,
                                                   const std::string& uid);
  boost::asio::awaitable<Result<void>> fillToken(const std::string& ns, const boost::json::object& cached,
                                                 const std::string& accountUid);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& serviceAccounts_;
  client::Informer& tokenSecrets_;
  boost::asio::any_io_executor executor_;
  LegacyTokenGenerator generate_;
  std::string caPem_;
  client::WorkQueue queue_;
};

}  // namespace kcpp::controllers
