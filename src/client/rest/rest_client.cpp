#include "client/rest/rest_client.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "client/rest/https_transport.h"

namespace kcpp::client {

namespace asio = boost::asio;
using boost::system::error_code;

std::string ResourcePath::target() const {
  std::string out = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (!ns.empty() && !(group.empty() && resource == "namespaces")) out += "/namespaces/" + ns;
  out += "/" + resource;
  if (!name.empty()) out += "/" + name;
  if (!subresource.empty()) out += "/" + subresource;
  if (!query.empty()) out += "?" + query;
  return out;
}

Result<std::unique_ptr<RestClient>> RestClient::create(asio::any_io_executor executor,
                                                       const pki::Kubeconfig& kubeconfig,
                                                       ClientOptions options) {
  std::shared_ptr<Transport> transport = options.transport;
  if (!transport) {
    HttpsTransportOptions https{options.timeout, options.maxIdleConnections, options.maxRetries};
    auto made = HttpsTransport::create(executor, kubeconfig, https);
    if (!made) return std::move(made).error();
    transport = std::move(*made);
  }
  return std::make_unique<RestClient>(Private{}, std::move(executor), kubeconfig, std::move(options),
                                      std::move(transport));
}

RestClient::RestClient(Private, asio::any_io_executor executor, pki::Kubeconfig kubeconfig,
                       ClientOptions options, std::shared_ptr<Transport> transport)
    : executor_(std::move(executor)),
      kubeconfig_(std::move(kubeconfig)),
      options_(std::move(options)),
      transport_(std::move(transport)),
      limiter_(options_.qps, options_.burst) {}

RestClient::~RestClient() = default;

asio::awaitable<void> RestClient::waitForToken() {
  Clock::duration wait = limiter_.when("");
  if (wait <= Clock::duration::zero()) co_return;
  asio::steady_timer timer(executor_, wait);
  error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

TransportRequest RestClient::transportRequest(std::string method, std::string target, std::string body,
                                              std::string contentType) const {
  TransportRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  if (!request.body.empty()) request.contentType = std::move(contentType);
  request.userAgent = options_.userAgent;
  request.bearerToken = kubeconfig_.token;
  request.clientCertificate = kubeconfig_.clientCertificatePem;
  return request;
}

asio::awaitable<Result<json::object>> RestClient::request(const std::string& method,
                                                          const std::string& target,
                                                          const std::string& body,
                                                          const std::string& contentType) {
  for (int attempt = 0;; ++attempt) {
    co_await waitForToken();
    TransportRequest request = transportRequest(method, target, body, contentType);
    TransportAnswer answer = co_await transport_->roundTrip(std::move(request));
    if (answer.status == 0) co_return makeError(Reason::ServiceUnavailable, answer.body);
    bool retryable = (answer.status == 429 || answer.status == 503) && answer.retryAfterSeconds;
    if (retryable && attempt < options_.maxRetries) {
      asio::steady_timer timer(executor_, std::chrono::seconds(std::max(1, *answer.retryAfterSeconds)));
      error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (answer.status < 200 || answer.status > 299) {
      co_return errorFromResponse(answer.status, answer.body);
    }
    error_code ec;
    json::value parsed = json::parse(answer.body, ec);
    if (ec || !parsed.is_object()) {
      co_return makeError(Reason::InternalError, "the server's answer is not a JSON object");
    }
    co_return std::move(parsed.get_object());
  }
}

asio::awaitable<Result<json::object>> RestClient::get(const ResourcePath& path) {
  co_return co_await request("GET", path.target(), "", "");
}

asio::awaitable<Result<json::object>> RestClient::create(const ResourcePath& path,
                                                         const json::object& obj) {
  co_return co_await request("POST", path.target(), json::serialize(obj), "application/json");
}

asio::awaitable<Result<json::object>> RestClient::update(const ResourcePath& path,
                                                         const json::object& obj) {
  co_return co_await request("PUT", path.target(), json::serialize(obj), "application/json");
}

asio::awaitable<Result<json::object>> RestClient::patch(const ResourcePath& path,
                                                        const std::string& contentType,
                                                        const std::string& body) {
  co_return co_await request("PATCH", path.target(), body, contentType);
}

asio::awaitable<Result<json::object>> RestClient::remove(const ResourcePath& path,
                                                         const json::object& deleteOptions) {
  std::string body = deleteOptions.empty() ? "" : json::serialize(deleteOptions);
  co_return co_await request("DELETE", path.target(), body, "application/json");
}

asio::awaitable<Result<WatchStreamPtr>> RestClient::watch(const ResourcePath& path) {
  ResourcePath watchPath = path;
  watchPath.query = watchPath.query.empty() ? "watch=true" : watchPath.query + "&watch=true";
  co_await waitForToken();
  TransportRequest request = transportRequest("GET", watchPath.target(), "", "");
  co_return co_await transport_->watch(std::move(request));
}

}  // namespace kcpp::client
