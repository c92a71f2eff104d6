#pragma once
// ApiHandler: everything after authentication for one request — authorization,
// routing to a Registry, decoding, the REST verbs, watch streams, discovery,
// health endpoints — as a pure function of the request and the state it reads.
// The transport (apiserver/server) only owns sockets, limits and timeouts and
// talks to it through ResponseSink.

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/schema/resource_type.h"
#include "api/schema/schema_set.h"
#include "apiserver/authn/authenticator.h"
#include "apiserver/authz/authorizer.h"
#include "apiserver/handlers/token_request_handler.h"
#include "apiserver/openapi/openapi_documents.h"
#include "apiserver/registry/registry.h"
#include "apiserver/request/request_info.h"
#include "streaming/byte_stream.h"

namespace kcpp::apiserver {

namespace audit {
class RequestAudit;
}

struct ApiRequest {
  std::string method;  // "GET"
  std::string path;    // without the query
  QueryParams query;
  std::string accept;
  std::string contentType;
  std::string userAgent;
  std::string body;
  std::optional<UserInfo> user;  // unset: no valid credentials were presented
  // Impersonate-User / Impersonate-Group (repeated) / Impersonate-Uid headers.
  std::string impersonateUser;
  std::vector<std::string> impersonateGroups;
  std::string impersonateUid;
  // The request's audit event (decision, impersonated user, admission's
  // annotations, request object); null when the caller does not audit.
  audit::RequestAudit* audit = nullptr;
  // The query as sent (repeated parameters kept: exec's command=a&command=b)
  // and every header, for the subresources proxied to kubelets.
  std::string rawQuery;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Paths served without authentication (health and version).
bool isPublicPath(const std::string& path);

struct ApiResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// How a handler answers: one response, or a stream of chunks (watch).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual boost::asio::awaitable<void> respond(ApiResponse response) = 0;
  // Sends the head of a chunked response; false if the client is gone.
  virtual boost::asio::awaitable<bool> startStream(int status, std::string contentType) = 0;
  virtual boost::asio::awaitable<bool> writeChunk(std::string data) = 0;
  virtual boost::asio::awaitable<void> endStream() = 0;
  // The client's connection as a byte stream, for a handler that proxies an
  // upgrade (pods/exec, attach, portforward, nodes/proxy) and answers on it
  // itself; the transport closes the connection afterwards. Null when the
  // transport cannot hand it over.
  virtual streaming::ByteStream* hijack() { return nullptr; }
};

class KubeletConnector;

struct ApiHandlerOptions {
  std::string gitVersion = "v1.33.0+kcpp";
  std::string serverAddress;  // host:port for /api's serverAddressByClientCIDRs
  // Watches without timeoutSeconds end after a random time in [min, 2*min), as
  // upstream's --min-request-timeout (1800 s).
  std::chrono::seconds minRequestTimeout{1800};
  // How often a watch with allowWatchBookmarks gets a BOOKMARK (upstream: ~1 min).
  std::chrono::milliseconds bookmarkInterval{60000};
  // The TokenRequest API (serviceaccounts/token); unset signer: not served.
  TokenRequestConfig tokenRequest;
  // How the server reaches kubelets (pods/log, exec, attach, portforward,
  // nodes/proxy); unset: those answer 503. Not owned.
  KubeletConnector* kubeletConnector = nullptr;
};

class ApiHandler {
 public:
  ApiHandler(ApiHandlerOptions options, const Authorizer& authorizer);

  // Registries are added before serving; the handler does not own them.
  void addRegistry(Registry& registry);
  Registry* find(const std::string& group, const std::string& version,
                 const std::string& resource) const;

  // Health: /readyz answers 200 only once ready (registries started) and until
  // shutdown begins.
  void setReady(bool ready) { ready_ = ready; }
  // The schemas behind field validation (fieldValidation=Strict|Warn|Ignore) and
  // the OpenAPI documents (/openapi/v3); unset, neither is served. Not owned.
  void setSchemas(const api::SchemaSet& schemas, const OpenApiDocuments& openApi) {
    schemas_ = &schemas;
    openApi_ = &openApi;
  }
  // Ends open watch streams soon (shutdown).
  void stopWatches() { stopping_ = true; }

  boost::asio::awaitable<void> handle(ApiRequest request, ResponseSink& sink);

 private:
  boost::asio::awaitable<void> handleResource(ApiRequest& request, const RequestInfo& info,
                                              ResponseSink& sink);
  boost::asio::awaitable<void> handleWatch(ApiRequest& request, const RequestInfo& info,
                                           Registry& registry, ResponseSink& sink);
  std::optional<ApiResponse> handleNonResource(const ApiRequest& request) const;
  std::optional<ApiResponse> discovery(const RequestInfo& info) const;
  std::optional<ApiResponse> openApi(const ApiRequest& request) const;
  // Field validation of a create/update body and of a merge or strategic merge
  // patch (unknown fields pruned from them): the warnings to send, or the error.
  Result<std::vector<std::string>> checkBodyFields(const ApiRequest& request,
                                                   const api::ResourceType& type, Subresource sub,
                                                   const char* optionsKind,
                                                   json::object& body) const;
  Result<std::vector<std::string>> checkPatchFields(ApiRequest& request,
                                                    const api::ResourceType& type,
                                                    Subresource sub, PatchType patchType) const;

  ApiHandlerOptions options_;
  const Authorizer& authorizer_;
  std::vector<Registry*> registries_;
  std::map<std::string, Registry*> byPath_;  // "group/version/resource"
  const api::SchemaSet* schemas_ = nullptr;
  const OpenApiDocuments* openApi_ = nullptr;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
};

// Encodes an Error as an ApiResponse carrying a Status.
ApiResponse errorResponse(const Error& error);
ApiResponse jsonResponse(int status, const boost::json::value& body, bool pretty = false);
// Adds warnings as one Warning header (`299 - "w1", 299 - "w2"`), as clients parse it.
void addWarnings(ApiResponse& response, const std::vector<std::string>& warnings);

}  // namespace kcpp::apiserver
