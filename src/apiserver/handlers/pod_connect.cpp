#include "apiserver/handlers/pod_connect.h"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include <array>
#include <cctype>
#include <sstream>

#include "api/meta/object.h"
#include "api/meta/status.h"
#include "apiserver/handlers/kubelet_connector.h"
#include "streaming/log_options.h"
#include "util/percent_encode.h"

namespace kcpp::apiserver {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using asio::use_awaitable;

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

Params parseParams(const std::string& raw) {
  Params params;
  // Form encoding, as Go's url.ParseQuery: '+' is a space.
  auto parsed = boost::urls::parse_query(raw);
  if (!parsed) return params;
  boost::urls::encoding_opts opt;
  opt.space_as_plus = true;
  for (auto p : boost::urls::params_view(raw, opt)) {  // valid: parsed above
    params.emplace_back(p.key, p.has_value ? p.value : "");
  }
  return params;
}

std::optional<std::string> firstParam(const Params& params, const std::string& key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string queryString(const Params& params) {
  std::string q;
  for (const auto& [k, v] : params) q += (q.empty() ? "?" : "&") + percentEncode(k) + "=" + percentEncode(v);
  return q;
}

std::string stringAt(const json::object& o, const char* path) {
  auto* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

bool truthy(const std::optional<std::string>& v) {
  return v && (*v == "true" || *v == "1" || *v == "True" || *v == "TRUE" || *v == "t" || *v == "T");
}

// Upstream's validateContainer: the one container when none is named.
Result<std::string> validateContainer(const json::object& pod, const std::string& name,
                                      std::string container) {
  std::vector<std::string> all;
  std::size_t regular = 0;
  for (const char* key : {"spec.initContainers", "spec.containers", "spec.ephemeralContainers"}) {
    auto* list = api::findPath(pod, key);
    if (!list || !list->is_array()) continue;
    for (const auto& c : list->as_array()) {
      if (!c.is_object()) continue;
      all.push_back(stringAt(c.as_object(), "name"));
      if (std::string_view(key) == "spec.containers") ++regular;
    }
  }
  if (container.empty()) {
    auto* containers = api::findPath(pod, "spec.containers");
    if (regular == 1) return stringAt(containers->as_array()[0].as_object(), "name");
    if (regular == 0) return api::badRequest("pod " + name + " does not have a container");
    std::string names = "[";
    for (std::size_t i = 0; i < all.size(); ++i) names += (i ? " " : "") + all[i];
    return api::badRequest("a container name must be specified for pod " + name + ", choose one of: " +
                           names + "]");
  }
  if (std::find(all.begin(), all.end(), container) == all.end()) {
    return api::badRequest("container " + container + " is not valid for pod " + name);
  }
  return container;
}

// Where the node's kubelet listens: the first InternalIP (then ExternalIP,
// then Hostname) and daemonEndpoints.kubeletEndpoint.Port.
Result<KubeletEndpoint> kubeletEndpoint(const json::object& node) {
  KubeletEndpoint endpoint;
  auto* addresses = api::findPath(node, "status.addresses");
  for (const char* type : {"InternalIP", "ExternalIP", "Hostname"}) {
    if (!addresses || !addresses->is_array() || !endpoint.host.empty()) break;
    for (const auto& a : addresses->as_array()) {
      if (a.is_object() && stringAt(a.as_object(), "type") == type) {
        endpoint.host = stringAt(a.as_object(), "address");
        break;
      }
    }
  }
  if (endpoint.host.empty()) {
    return makeError(Reason::Unknown, "no preferred addresses found; known addresses: []");
  }
  if (auto* port = api::findPath(node, "status.daemonEndpoints.kubeletEndpoint.Port");
      port && port->is_int64() && port->as_int64() > 0 && port->as_int64() < 65536) {
    endpoint.port = static_cast<std::uint16_t>(port->as_int64());
  }
  return endpoint;
}

bool isUpgrade(const ApiRequest& request) {
  for (const auto& [k, v] : request.headers) {
    if (beast::iequals(k, "Connection")) {
      std::string lower = v;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.find("upgrade") != std::string::npos) return true;
    }
  }
  return false;
}

// The request to the kubelet: the client's headers (not its credentials,
// which the kubelet does not accept) with the kubelet's path.
http::request<http::string_body> kubeletRequest(const ApiRequest& request, const std::string& target,
                                                const KubeletEndpoint& endpoint, bool upgrade) {
  http::request<http::string_body> out{http::string_to_verb(request.method), target, 11};
  for (const auto& [k, v] : request.headers) {
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "authorization" || lower == "host" || lower.starts_with("impersonate-") ||
        lower == "content-length" || lower == "transfer-encoding" || lower == "connection" ||
        lower == "keep-alive" || lower == "proxy-connection" || lower == "te" || lower == "trailer") {
      continue;
    }
    out.insert(k, v);
  }
  out.set(http::field::host, endpoint.hostPort());
  out.set(http::field::connection, upgrade ? "Upgrade" : "close");
  out.body() = request.body;
  if (!request.body.empty()) out.prepare_payload();
  return out;
}

Error kubeletError(int status, std::string body) {
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
  Reason reason = Reason::InternalError;
  switch (status) {
    case 400: reason = Reason::BadRequest; break;
    case 401: reason = Reason::Unauthorized; break;
    case 403: reason = Reason::Forbidden; break;
    case 404: reason = Reason::NotFound; break;
    case 503: reason = Reason::ServiceUnavailable; break;
    default: break;
  }
  return makeError(reason, body);
}

// Copies bytes both ways until either side ends, then ends both.
asio::awaitable<void> relay(streaming::ByteStream& a, streaming::ByteStream& b) {
  using namespace asio::experimental::awaitable_operators;
  auto copy = [](streaming::ByteStream& from, streaming::ByteStream& to) -> asio::awaitable<void> {
    std::array<char, 32 * 1024> chunk;
    for (;;) {
      std::size_t n = co_await from.readSome(chunk);
      if (n == 0 || !co_await to.writeAll(std::string_view(chunk.data(), n))) break;
    }
    from.close();
    to.close();
  };
  co_await (copy(a, b) && copy(b, a));
}

// An upgrade: relays the kubelet's answer; after 101 the connection is a pipe.
asio::awaitable<void> proxyUpgrade(ApiRequest& request, KubeletStream& kubelet, const std::string& target,
                                   const KubeletEndpoint& endpoint, ResponseSink& sink) {
  auto out = kubeletRequest(request, target, endpoint, true);
  beast::error_code ec;
  co_await http::async_write(kubelet, out, asio::redirect_error(use_awaitable, ec));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024 * 1024);
  co_await http::async_read_header(kubelet, buffer, parser, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return co_await sink.respond(errorResponse(makeError(Reason::Unknown, "error reading from kubelet: " + ec.message())));
  if (parser.get().result() != http::status::switching_protocols) {
    if (!parser.is_done()) co_await http::async_read(kubelet, buffer, parser, asio::redirect_error(use_awaitable, ec));
    ApiResponse response;
    response.status = parser.get().result_int();
    response.contentType = std::string(parser.get()[http::field::content_type]);
    if (response.contentType.empty()) response.contentType = "text/plain; charset=utf-8";
    response.body = parser.get().body();
    co_return co_await sink.respond(std::move(response));
  }
  streaming::ByteStream* client = sink.hijack();
  if (!client) co_return co_await sink.respond(errorResponse(makeError(Reason::InternalError, "connection cannot be upgraded")));
  std::ostringstream head;
  head << parser.get().base();
  if (!co_await client->writeAll(head.str())) co_return;
  if (buffer.size() > 0) {
    std::string early = beast::buffers_to_string(buffer.data());
    if (!co_await client->writeAll(early)) co_return;
  }
  streaming::AsioByteStream<KubeletStream&> backend(kubelet);
  co_await relay(*client, backend);
}

// A streamed GET (logs, nodes/proxy): the kubelet's body relayed as it comes.
asio::awaitable<void> proxyStream(ApiRequest& request, KubeletStream& kubelet, const std::string& target,
                                  const KubeletEndpoint& endpoint, bool statusErrors, ResponseSink& sink) {
  auto out = kubeletRequest(request, target, endpoint, false);
  beast::error_code ec;
  co_await http::async_write(kubelet, out, asio::redirect_error(use_awaitable, ec));
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  co_await http::async_read_header(kubelet, buffer, parser, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return co_await sink.respond(errorResponse(makeError(Reason::Unknown, "error reading from kubelet: " + ec.message())));
  int status = parser.get().result_int();
  std::string contentType(parser.get()[http::field::content_type]);
  std::array<char, 32 * 1024> chunk;
  auto readSome = [&]() -> asio::awaitable<std::optional<std::string>> {
    if (parser.is_done()) co_return std::nullopt;
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    beast::error_code rec;
    co_await http::async_read_some(kubelet, buffer, parser, asio::redirect_error(use_awaitable, rec));
    if (rec && rec != http::error::need_buffer) co_return std::nullopt;
    co_return std::string(chunk.data(), chunk.size() - parser.get().body().size);
  };
  if (status != 200 && statusErrors) {
    std::string body;
    while (body.size() < 64 * 1024) {
      auto more = co_await readSome();
      if (!more) break;
      body += *more;
    }
    co_return co_await sink.respond(errorResponse(kubeletError(status, body)));
  }
  // Named, not a ?: temporary, inside co_await (GCC 12 coroutine bug).
  std::string streamType = contentType.empty() ? std::string("text/plain") : contentType;
  bool started = co_await sink.startStream(status, std::move(streamType));
  if (!started) co_return;
  for (;;) {
    auto more = co_await readSome();
    if (!more) break;
    if (more->empty()) continue;
    if (!co_await sink.writeChunk(std::move(*more))) co_return;
  }
  co_await sink.endStream();
}

struct KubeletTarget {
  std::string nodeName;
  std::string path;  // path and query on the kubelet
  bool emptyLog = false;  // pods/log of a pod not yet on a node: an empty answer
};

Result<KubeletTarget> podTarget(const ApiRequest& request, const RequestInfo& info, const json::object& pod) {
  const std::string& ns = info.namespace_;
  const std::string& name = info.name;
  auto params = parseParams(request.rawQuery);
  KubeletTarget t;
  t.nodeName = stringAt(pod, "spec.nodeName");
  auto container = validateContainer(pod, name, firstParam(params, "container").value_or(""));
  if (info.subresource == "log") {
    auto options = streaming::parseLogOptions([&](const std::string& k) { return firstParam(params, k); }, name);
    if (!options) return options.error();
    if (!container) return container.error();
    if (t.nodeName.empty()) {
      t.emptyLog = true;
      return t;
    }
    Params forwarded;
    for (const char* key : {"follow", "previous", "timestamps", "sinceSeconds", "sinceTime", "tailLines", "limitBytes"}) {
      if (auto v = firstParam(params, key)) forwarded.emplace_back(key, *v);
    }
    t.path = "/containerLogs/" + ns + "/" + name + "/" + *container + queryString(forwarded);
    return t;
  }
  if (info.subresource == "portforward") {
    if (t.nodeName.empty()) return api::badRequest("pod " + name + " does not have a host assigned");
    Params forwarded;
    for (const auto& [k, v] : params) {
      if (k == "ports") forwarded.emplace_back(k, v);
    }
    t.path = "/portForward/" + ns + "/" + name + queryString(forwarded);
    return t;
  }
  // exec and attach
  if (!container) return container.error();
  if (t.nodeName.empty()) return api::badRequest("pod " + name + " does not have a host assigned");
  Params forwarded;
  if (info.subresource == "exec") {
    for (const auto& [k, v] : params) {
      if (k == "command") forwarded.emplace_back(k, v);
    }
  }
  bool tty = truthy(firstParam(params, "tty"));
  if (truthy(firstParam(params, "stdin"))) forwarded.emplace_back("input", "1");
  if (truthy(firstParam(params, "stdout"))) forwarded.emplace_back("output", "1");
  if (truthy(firstParam(params, "stderr")) && !tty) forwarded.emplace_back("error", "1");
  if (tty) forwarded.emplace_back("tty", "1");
  t.path = "/" + info.subresource + "/" + ns + "/" + name + "/" + *container + queryString(forwarded);
  return t;
}

// nodes/<name>/proxy/<path>: everything after ".../proxy".
std::string nodeProxyPath(const ApiRequest& request, const RequestInfo& info) {
  std::string marker = "/nodes/" + info.name + "/proxy";
  auto at = request.path.find(marker);
  std::string rest = at == std::string::npos ? "/" : request.path.substr(at + marker.size());
  if (rest.empty()) rest = "/";
  return rest + (request.rawQuery.empty() ? "" : "?" + request.rawQuery);
}

}  // namespace

bool isKubeletSubresource(const std::string& group, const std::string& resource, const std::string& subresource) {
  if (!group.empty()) return false;
  if (resource == "pods") {
    return subresource == "log" || subresource == "exec" || subresource == "attach" || subresource == "portforward";
  }
  return resource == "nodes" && subresource == "proxy";
}

asio::awaitable<void> handleKubeletSubresource(ApiRequest& request, const RequestInfo& info, Registry& registry,
                                               Registry* nodes, KubeletConnector* connector, ResponseSink& sink) {
  auto fail = [&](const Error& e) { return sink.respond(errorResponse(e)); };
  const bool isLog = info.subresource == "log";
  const bool isNodeProxy = info.resource == "nodes";
  if (isLog && request.method != "GET") {
    co_return co_await fail(makeError(Reason::MethodNotAllowed,
                                      "the server does not allow this method on the requested resource"));
  }
  if (!isLog && !isNodeProxy && request.method != "GET" && request.method != "POST") {
    co_return co_await fail(makeError(Reason::MethodNotAllowed,
                                      "the server does not allow this method on the requested resource"));
  }
  KubeletTarget target;
  if (isNodeProxy) {
    target.nodeName = info.name;
    target.path = nodeProxyPath(request, info);
  } else {
    auto found = co_await registry.get(info.namespace_, info.name);
    if (!found) co_return co_await fail(found.error());
    auto pod = found->parsedObject();
    if (!pod) co_return co_await fail(makeError(Reason::InternalError, "stored pod is not an object"));
    auto t = podTarget(request, info, *pod);
    if (!t) co_return co_await fail(t.error());
    target = std::move(*t);
  }
  if (target.emptyLog) {
    std::string plain = "text/plain";
    co_await sink.startStream(200, std::move(plain));
    co_return co_await sink.endStream();
  }
  if (!connector || !nodes) {
    co_return co_await fail(makeError(Reason::ServiceUnavailable, "connections to kubelets are not configured"));
  }
  auto node = co_await nodes->get("", target.nodeName);
  if (!node) co_return co_await fail(node.error());
  auto nodeObject = node->parsedObject();
  if (!nodeObject) co_return co_await fail(makeError(Reason::InternalError, "stored node is not an object"));
  auto endpoint = kubeletEndpoint(*nodeObject);
  if (!endpoint) co_return co_await fail(endpoint.error());
  auto kubelet = co_await connector->connect(*endpoint);
  bool upgrade = isUpgrade(request);
  if (!kubelet) {
    Error e = kubelet.error();
    if (upgrade) {
      e.message = "error dialing backend: " + e.message;
    } else {
      e.message = "Get \"https://" + endpoint->hostPort() + target.path + "\": " + e.message;
    }
    co_return co_await fail(e);
  }
  if (upgrade) co_return co_await proxyUpgrade(request, **kubelet, target.path, *endpoint, sink);
  co_await proxyStream(request, **kubelet, target.path, *endpoint, !isNodeProxy, sink);
}

}  // namespace kcpp::apiserver
