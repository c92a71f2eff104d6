#include "client/clientbuilder/service_account_client_builder.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

#include "util/sleep.h"

namespace kcpp::client {

namespace asio = boost::asio;

namespace {

ResourcePath serviceAccountPath(const std::string& name, const std::string& subresource = {}) {
  ResourcePath path;
  path.version = "v1";
  path.resource = "serviceaccounts";
  path.ns = ServiceAccountClientBuilder::kNamespace;
  path.name = name;
  path.subresource = subresource;
  return path;
}

std::string stringAt(const json::object& obj, const char* section, const char* field) {
  const json::value* s = obj.if_contains(section);
  if (!s || !s->is_object()) return {};
  const json::value* v = s->get_object().if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

ServiceAccountClientBuilder::ServiceAccountClientBuilder(RestClient& root, asio::any_io_executor executor,
                                                         ClientOptions options)
    : root_(root), executor_(std::move(executor)), options_(std::move(options)) {}

asio::awaitable<Result<void>> ServiceAccountClientBuilder::ensureServiceAccount(const std::string& name) {
  auto path = serviceAccountPath(name);
  auto existing = co_await root_.get(path);
  if (existing) co_return Result<void>{};
  if (existing.error().reason != Reason::NotFound) co_return std::move(existing).error();
  json::object sa{{"apiVersion", "v1"}, {"kind", "ServiceAccount"},
                  {"metadata", json::object{{"name", name}, {"namespace", kNamespace}}}};
  auto collection = serviceAccountPath("");
  auto created = co_await root_.create(collection, sa);
  if (!created && created.error().reason != Reason::AlreadyExists) co_return std::move(created).error();
  co_return Result<void>{};
}

asio::awaitable<Result<ServiceAccountClientBuilder::Token>> ServiceAccountClientBuilder::requestToken(
    const std::string& name) {
  json::object request{{"apiVersion", "authentication.k8s.io/v1"},
                       {"kind", "TokenRequest"},
                       {"spec", json::object{{"expirationSeconds", kTokenSeconds}}}};
  auto path = serviceAccountPath(name, "token");
  auto answer = co_await root_.create(path, request);
  if (!answer) co_return std::move(answer).error();
  std::string token = stringAt(*answer, "status", "token");
  if (token.empty()) co_return makeError(Reason::InternalError, "TokenRequest for " + name + " returned no token");
  // kcpp's TokenRequest grants the lifetime asked for (up to its maximum, far above an hour).
  co_return Token{std::move(token), std::chrono::seconds(kTokenSeconds)};
}

asio::awaitable<Result<RestClient*>> ServiceAccountClientBuilder::clientFor(const std::string& serviceAccount) {
  auto ensured = co_await ensureServiceAccount(serviceAccount);
  if (!ensured) co_return std::move(ensured).error();
  auto token = co_await requestToken(serviceAccount);
  if (!token) co_return std::move(token).error();
  pki::Kubeconfig kubeconfig = root_.kubeconfig();
  kubeconfig.clientCertificatePem.clear();
  kubeconfig.clientKeyPem.clear();
  kubeconfig.token = token->value;
  ClientOptions options = options_;
  options.userAgent += "/" + serviceAccount;
  auto client = RestClient::create(executor_, kubeconfig, options);
  if (!client) co_return std::move(client).error();
  RestClient* raw = client->get();
  clients_.push_back(std::move(*client));
  asio::co_spawn(executor_, renewLoop(serviceAccount, raw, token->lifetime), asio::detached);
  co_return raw;
}

asio::awaitable<void> ServiceAccountClientBuilder::renewLoop(std::string name, RestClient* client,
                                                             std::chrono::seconds lifetime) {
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(lifetime) * 8 / 10;
  while (!stopped_) {
    co_await sleepFor(wait);
    if (stopped_) break;
    auto token = co_await requestToken(name);
    if (token) {
      client->setToken(token->value);
      wait = std::chrono::duration_cast<std::chrono::milliseconds>(token->lifetime) * 8 / 10;
    } else {
      // The old token stays valid for the remaining 20 %; retry soon.
      spdlog::warn("renewing the token of {}: {}", name, token.error().message);
      wait = std::chrono::seconds(10);
    }
  }
}

}  // namespace kcpp::client
