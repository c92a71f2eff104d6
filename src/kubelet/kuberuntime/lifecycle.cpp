// Stopping containers and pods (preStop hooks, graceful stop) and running
// lifecycle handlers, as upstream's kuberuntime_container.go killContainer /
// killPodWithSyncResult and lifecycle/handlers.go.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/meta/object.h"
#include "kubelet/kuberuntime/runtime_manager.h"

namespace kcpp::kubelet::kuberuntime {

namespace asio = boost::asio;

namespace {

constexpr std::int64_t kMinimumGracePeriodSeconds = 2;

const json::object* specContainer(const json::object& pod, const std::string& name) {
  for (const char* field : {"containers", "initContainers"}) {
    for (const json::object* c : specContainers(pod, field)) {
      if (api::getString(*c, "name") == name) return c;
    }
  }
  return nullptr;
}

std::string podIp(const json::object& pod) {
  const json::value* ip = api::findPath(pod, "status.podIP");
  return ip && ip->is_string() ? std::string(ip->get_string()) : "";
}

// A named port of the container, or the number itself.
int resolvePort(const json::object& container, const json::value& port) {
  if (port.is_number()) return port.to_number<int>();
  if (!port.is_string()) return 0;
  std::string name(port.get_string());
  const json::value* ports = container.if_contains("ports");
  if (ports && ports->is_array()) {
    for (const auto& p : ports->get_array()) {
      if (p.is_object() && api::getString(p.get_object(), "name") == name) {
        return p.get_object().at("containerPort").to_number<int>();
      }
    }
  }
  return std::atoi(name.c_str());
}

// One HTTP/1.1 GET; the status code, or an error message.
asio::awaitable<Result<int>> httpGet(const std::string& host, int port, const std::string& path,
                                     const json::array* headers) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto [resolveError, endpoints] =
      co_await resolver.async_resolve(host, std::to_string(port), asio::as_tuple(asio::use_awaitable));
  if (resolveError) co_return makeError(Reason::ServiceUnavailable, resolveError.message());
  asio::ip::tcp::socket socket(executor);
  auto [connectError, endpoint] = co_await asio::async_connect(socket, endpoints, asio::as_tuple(asio::use_awaitable));
  (void)endpoint;
  if (connectError) co_return makeError(Reason::ServiceUnavailable, connectError.message());
  std::string request = "GET " + (path.empty() ? std::string("/") : path) + " HTTP/1.1\r\nHost: " + host + ":" +
                        std::to_string(port) + "\r\nUser-Agent: kube-lifecycle/1.27\r\nConnection: close\r\n";
  if (headers) {
    for (const auto& h : *headers) {
      if (!h.is_object()) continue;
      request += std::string(api::getString(h.get_object(), "name")) + ": " +
                 std::string(api::getString(h.get_object(), "value")) + "\r\n";
    }
  }
  request += "\r\n";
  auto [writeError, written] = co_await asio::async_write(socket, asio::buffer(request), asio::as_tuple(asio::use_awaitable));
  (void)written;
  if (writeError) co_return makeError(Reason::ServiceUnavailable, writeError.message());
  std::string response(64, '\0');
  auto [readError, read] = co_await socket.async_read_some(asio::buffer(response), asio::as_tuple(asio::use_awaitable));
  if (readError && read == 0) co_return makeError(Reason::ServiceUnavailable, readError.message());
  response.resize(read);
  // "HTTP/1.1 200 OK"
  auto space = response.find(' ');
  if (space == std::string::npos) co_return makeError(Reason::InternalError, "malformed HTTP response");
  co_return std::atoi(response.c_str() + space + 1);
}

}  // namespace

Awaitable<std::optional<std::string>> RuntimeManager::runHook(const json::object& pod, const json::object& container,
                                                              const std::string& containerId,
                                                              const json::object& handler, std::int64_t timeoutSeconds) {
  std::string name(api::getString(container, "name"));
  std::string where = "for Container \"" + name + "\" in Pod \"" + formatPod(pod) + "\"";
  if (const json::object* exec = api::findObject(handler, "exec")) {
    v1::ExecSyncRequest req;
    req.set_container_id(containerId);
    std::string command;
    if (const json::value* cmd = exec->if_contains("command"); cmd && cmd->is_array()) {
      for (const auto& part : cmd->get_array()) {
        if (!part.is_string()) continue;
        req.add_cmd(std::string(part.get_string()));
        command += (command.empty() ? "" : " ") + std::string(part.get_string());
      }
    }
    req.set_timeout(timeoutSeconds);
    auto ran = co_await runtime_.execSync(req);
    if (!ran) co_return "Exec lifecycle hook ([" + command + "]) " + where + " failed - error: " + ran.error().message;
    if (ran->exit_code() != 0) {
      std::string output = std::string(ran->stdout()) + std::string(ran->stderr());
      co_return "Exec lifecycle hook ([" + command + "]) " + where + " failed - error: command '" + command +
          "' exited with " + std::to_string(ran->exit_code()) + ": " + output + ", message: \"" + output + "\"";
    }
    co_return std::nullopt;
  }
  if (const json::object* get = api::findObject(handler, "httpGet")) {
    std::string host(api::getString(*get, "host"));
    if (host.empty()) host = podIp(pod);
    const json::value* portValue = get->if_contains("port");
    int port = portValue ? resolvePort(container, *portValue) : 80;
    std::string path(api::getString(*get, "path"));
    const json::value* headers = get->if_contains("httpHeaders");
    std::string url = "http://" + host + ":" + std::to_string(port) + path;
    if (api::getString(*get, "scheme") == "HTTPS") co_return "HTTP lifecycle hook (" + path + ") " + where + " failed - error: HTTPS hooks are not supported";
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(executor_, std::chrono::seconds(std::max<std::int64_t>(timeoutSeconds, 1)));
    const json::array* headerList = headers && headers->is_array() ? &headers->get_array() : nullptr;
    auto outcome = co_await (httpGet(host, port, path, headerList) || timer.async_wait(asio::use_awaitable));
    if (outcome.index() == 1) co_return "HTTP lifecycle hook (" + path + ") " + where + " failed - error: timeout";
    Result<int>& code = std::get<0>(outcome);
    if (!code) co_return "HTTP lifecycle hook (" + path + ") " + where + " failed - error: Get \"" + url + "\": " + code.error().message;
    if (*code < 200 || *code >= 400) {
      co_return "HTTP lifecycle hook (" + path + ") " + where + " failed - error: HTTP status " + std::to_string(*code);
    }
    co_return std::nullopt;
  }
  if (const json::object* sleep = api::findObject(handler, "sleep")) {
    const json::value* seconds = sleep->if_contains("seconds");
    std::int64_t s = seconds && seconds->is_number() ? seconds->to_number<std::int64_t>() : 0;
    asio::steady_timer timer(executor_, std::chrono::seconds(std::min(s, timeoutSeconds)));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return std::nullopt;
  }
  co_return "Unknown lifecycle handler " + where;
}

Awaitable<Result<void>> RuntimeManager::killContainer(const json::object& pod, const RuntimeContainer& container,
                                                      const std::string& message,
                                                      std::optional<std::int64_t> gracePeriodOverride) {
  std::int64_t grace = podGracePeriod(pod);
  const json::object* spec = specContainer(pod, container.name);
  const json::object* lifecycle = spec ? api::findObject(*spec, "lifecycle") : nullptr;
  const json::object* preStop = lifecycle ? api::findObject(*lifecycle, "preStop") : nullptr;
  std::string text = message.empty() ? "Stopping container " + container.name : message;
  event(pod, "Normal", "Killing", text);
  if (preStop && grace > 0 && container.state == ContainerState::Running) {
    auto began = std::chrono::steady_clock::now();
    auto failure = co_await runHook(pod, *spec, container.id, *preStop, grace);
    if (failure) event(pod, "Warning", "FailedPreStopHook", *failure);
    grace -= std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began).count();
  }
  if (gracePeriodOverride) grace = *gracePeriodOverride;
  if (grace < kMinimumGracePeriodSeconds) grace = kMinimumGracePeriodSeconds;
  v1::StopContainerRequest stop;
  stop.set_container_id(container.id);
  stop.set_timeout(grace);
  auto stopped = co_await runtime_.stopContainer(stop);
  if (!stopped && stopped.error().reason != Reason::NotFound) co_return std::move(stopped).error();
  co_return Result<void>{};
}

Awaitable<Result<void>> RuntimeManager::killPod(const json::object& pod, const PodRuntimeStatus& status,
                                                std::optional<std::int64_t> gracePeriodOverride) {
  // Containers stop in parallel (each may run a preStop hook for its whole grace period).
  using Op = decltype(asio::co_spawn(executor_, std::declval<Awaitable<Result<void>>>(), asio::deferred));
  std::vector<Op> kills;
  const std::string noMessage;
  for (const auto& c : status.containers) {
    if (c.state != ContainerState::Running && c.state != ContainerState::Created) continue;
    kills.push_back(asio::co_spawn(executor_, killContainer(pod, c, noMessage, gracePeriodOverride), asio::deferred));
  }
  std::optional<Error> firstError;
  if (!kills.empty()) {
    auto [order, exceptions, results] = co_await asio::experimental::make_parallel_group(std::move(kills))
                                            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    (void)order;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (exceptions[i]) std::rethrow_exception(exceptions[i]);
      if (!results[i] && !firstError) firstError = results[i].error();
    }
  }
  if (firstError) co_return *firstError;
  for (const auto& s : status.sandboxes) {
    v1::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(s.id);
    auto stopped = co_await runtime_.stopPodSandbox(stop);
    if (!stopped && stopped.error().reason != Reason::NotFound) co_return std::move(stopped).error();
  }
  co_return Result<void>{};
}

Awaitable<Result<void>> RuntimeManager::removePod(const PodRuntimeStatus& status) {
  for (const auto& c : status.containers) {
    v1::RemoveContainerRequest remove;
    remove.set_container_id(c.id);
    auto removed = co_await runtime_.removeContainer(remove);
    if (!removed && removed.error().reason != Reason::NotFound) co_return std::move(removed).error();
  }
  for (const auto& s : status.sandboxes) {
    v1::RemovePodSandboxRequest remove;
    remove.set_pod_sandbox_id(s.id);
    auto removed = co_await runtime_.removePodSandbox(remove);
    if (!removed && removed.error().reason != Reason::NotFound) co_return std::move(removed).error();
  }
  if (!status.uid.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(options_.dataDir + "/pods/" + status.uid + "/containers", ec);
  }
  co_return Result<void>{};
}

}  // namespace kcpp::kubelet::kuberuntime
