#include "kubelet/server/kubelet_routes.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "kubelet/server/container_log.h"
#include "kubelet/server/node_stats.h"

namespace kcpp::kubelet::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using asio::use_awaitable;

std::optional<std::string> Target::first(const std::string& key) const {
  auto it = query.find(key);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Target::all(const std::string& key) const {
  std::vector<std::string> values;
  for (auto [it, end] = query.equal_range(key); it != end; ++it) values.push_back(it->second);
  return values;
}

Target splitTarget(std::string_view raw) {
  Target t;
  auto q = raw.find('?');
  auto path = boost::urls::make_pct_string_view(raw.substr(0, q));
  t.path = path ? path->decode() : std::string(raw.substr(0, q));
  if (q != std::string_view::npos) {
    // A copy: Boost.URL 1.81's decoding view reads past the end of a view
    // into Beast's header buffer (a stray byte after the last value).
    const std::string query(raw.substr(q + 1));
    auto params = boost::urls::parse_query(query);
    if (params) {  // form encoding, as Go's url.ParseQuery: '+' is a space
      boost::urls::encoding_opts opt;
      opt.space_as_plus = true;
      for (auto p : boost::urls::params_view(query, opt)) {  // valid: parsed above
        t.query.emplace(p.key, p.has_value ? p.value : "");
      }
    }
  }
  return t;
}

asio::awaitable<void> respondText(RouteContext& ctx, int status, std::string body, std::string contentType) {
  http::response<http::string_body> res{static_cast<http::status>(status), ctx.request.version()};
  res.set(http::field::content_type, contentType);
  res.keep_alive(ctx.request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  beast::error_code ec;
  co_await http::async_write(ctx.stream, res, asio::redirect_error(use_awaitable, ec));
}

namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

std::string field(const json::object& o, const char* path) {
  auto* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

asio::awaitable<void> serveContainerLogs(RouteContext& ctx, const Target& target, const std::string& ns,
                                         const std::string& name, const std::string& container) {
  auto options = streaming::parseLogOptions([&](const std::string& k) { return target.first(k); }, name);
  if (!options) co_return co_await respondText(ctx, 400, options.error().message);
  auto pod = ctx.pods.pod(ns, name);
  if (!pod) co_return co_await respondText(ctx, 404, "pod \"" + ns + "/" + name + "\" does not exist\n");
  auto dir = ctx.options.logDir / "pods" / (ns + "_" + name + "_" + field(*pod, "metadata.uid")) / container;
  auto files = containerLogFiles(dir);
  if (files.empty()) {
    co_return co_await respondText(ctx, 404, "container \"" + container + "\" in pod \"" + name +
                                                 "\" is not available\n");
  }
  if (options->previous && files.size() < 2) {
    co_return co_await respondText(ctx, 400, "previous terminated container \"" + container + "\" in pod \"" +
                                                 name + "\" not found\n");
  }
  auto file = options->previous ? files[files.size() - 2] : files.back();
  bool follow = options->follow && !options->previous;
  options->follow = follow;
  http::response<http::empty_body> res{http::status::ok, ctx.request.version()};
  res.set(http::field::content_type, "text/plain");
  res.chunked(true);
  res.keep_alive(false);
  http::response_serializer<http::empty_body> sr{res};
  beast::error_code ec;
  co_await http::async_write_header(ctx.stream, sr, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  auto podObject = *pod;
  LogStreamer streamer(*options, ctx.options.logPollInterval,
                       [&] { return ctx.streamer.running(podObject, container); });
  auto write = [&ctx](std::string data) -> asio::awaitable<bool> {
    beast::error_code wec;
    co_await asio::async_write(ctx.stream, http::make_chunk(asio::buffer(data)),
                               asio::redirect_error(use_awaitable, wec));
    co_return !wec;
  };
  auto done = co_await streamer.stream(file, write);
  (void)done;  // the header is out: an error can only end the stream
  co_await asio::async_write(ctx.stream, http::make_chunk_last(), asio::redirect_error(use_awaitable, ec));
}

asio::awaitable<void> servePods(RouteContext& ctx) {
  json::array items;
  for (auto& pod : ctx.pods.pods()) items.emplace_back(std::move(pod));
  json::object list{{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", json::object()},
                    {"items", std::move(items)}};
  co_await respondText(ctx, 200, json::serialize(list), "application/json");
}

bool hasContainer(const json::object& pod, const std::string& container) {
  for (const char* key : {"spec.containers", "spec.initContainers", "spec.ephemeralContainers"}) {
    auto* list = api::findPath(pod, key);
    if (!list || !list->is_array()) continue;
    for (const auto& c : list->as_array()) {
      if (c.is_object() && field(c.as_object(), "name") == container) return true;
    }
  }
  return false;
}

}  // namespace

asio::awaitable<bool> serveRoute(RouteContext& ctx, const Target& target) {
  spdlog::debug("kubelet request {} {}", std::string(ctx.request.method_string()), std::string(ctx.request.target()));
  auto parts = segments(target.path);
  const std::string root = parts.empty() ? "" : parts[0];
  bool isGet = ctx.request.method() == http::verb::get || ctx.request.method() == http::verb::head;
  if (target.path == "/healthz" && isGet) {
    co_await respondText(ctx, 200, "ok");
    co_return true;
  }
  if (target.path == "/pods" && isGet) {
    co_await servePods(ctx);
    co_return true;
  }
  if (target.path == "/metrics" && isGet) {
    co_await respondText(ctx, 200, kubeletMetrics(ctx), "text/plain; version=0.0.4; charset=utf-8");
    co_return true;
  }
  if (target.path == "/stats/summary" && isGet) {
    co_await respondText(ctx, 200, json::serialize(statsSummary(ctx)), "application/json");
    co_return true;
  }
  if (root == "containerLogs" && parts.size() == 4 && isGet) {
    co_await serveContainerLogs(ctx, target, parts[1], parts[2], parts[3]);
    co_return false;
  }
  // /exec|attach/<ns>/<pod>[/<uid>]/<container>, /portForward/<ns>/<pod>[/<uid>]
  bool isExec = root == "exec" || root == "attach";
  bool isForward = root == "portForward";
  if ((isExec && (parts.size() == 4 || parts.size() == 5)) ||
      (isForward && (parts.size() == 3 || parts.size() == 4))) {
    auto pod = ctx.pods.pod(parts[1], parts[2]);
    if (!pod) {
      co_await respondText(ctx, 404, "pod \"" + parts[1] + "/" + parts[2] + "\" does not exist\n");
      co_return ctx.request.keep_alive();
    }
    if (parts.size() == (isExec ? 5u : 4u) && field(*pod, "metadata.uid") != parts[3]) {
      co_await respondText(ctx, 404, "pod \"" + parts[1] + "/" + parts[2] + "\" with uid " + parts[3] +
                                         " does not exist\n");
      co_return ctx.request.keep_alive();
    }
    if (isForward) {
      co_await servePortForwardRequest(ctx, *pod);
      co_return false;
    }
    const std::string& container = parts.back();
    if (!hasContainer(*pod, container)) {
      co_await respondText(ctx, 404, "container \"" + container + "\" not found in pod \"" + parts[2] + "\"\n");
      co_return ctx.request.keep_alive();
    }
    co_await serveExecOrAttach(ctx, target, root == "attach", *pod, container);
    co_return false;
  }
  co_await respondText(ctx, 404, "404 page not found\n");
  co_return true;
}

}  // namespace kcpp::kubelet::server
