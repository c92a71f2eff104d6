#include "kubelet/prober/prober.h"

#include <algorithm>
#include <charconv>

#include "api/meta/object.h"
#include "kubelet/prober/grpc_probe.h"
#include "kubelet/prober/http_probe.h"
#include "kubelet/prober/tcp_probe.h"

namespace kcpp::kubelet::prober {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

std::int64_t intAt(const json::object& o, std::string_view key, std::int64_t fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<std::int64_t>() : fallback;
}

std::string joinCommand(const std::vector<std::string>& command) {
  std::string out;
  for (const auto& part : command) out += (out.empty() ? "" : " ") + part;
  return out;
}

asio::awaitable<ProbeResult> execProbe(const json::object& spec, const ProbeTarget& target,
                                       const ExecFunction& exec, milliseconds timeout) {
  std::vector<std::string> command;
  if (const json::value* c = spec.if_contains("command"); c && c->is_array()) {
    for (const auto& part : c->as_array()) {
      if (part.is_string()) command.emplace_back(part.as_string());
    }
  }
  if (!exec) co_return ProbeResult{Outcome::Unknown, "exec probes need a container runtime"};
  auto ran = co_await exec(target.containerId, command, timeout);
  if (!ran) co_return ProbeResult{Outcome::Unknown, ran.error().message};
  if (ran->timedOut) {
    co_return ProbeResult{Outcome::Failure, "command \"" + joinCommand(command) + "\" timed out"};
  }
  Outcome outcome = ran->exitCode == 0 ? Outcome::Success : Outcome::Failure;
  co_return ProbeResult{outcome, ran->output};
}

}  // namespace

Result<int> probePort(const json::value* port, const json::object& container) {
  int number = -1;
  if (port && port->is_number()) {
    number = static_cast<int>(port->to_number<std::int64_t>());
  } else if (port && port->is_string()) {
    std::string name(port->as_string());
    bool found = false;
    if (const json::value* ports = container.if_contains("ports"); ports && ports->is_array()) {
      for (const auto& p : ports->as_array()) {
        if (p.is_object() && api::getString(p.as_object(), "name") == name) {
          number = static_cast<int>(intAt(p.as_object(), "containerPort", -1));
          found = true;
          break;
        }
      }
    }
    if (!found) {
      // Last ditch, as upstream: a number stored as a string.
      auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), number);
      if (ec != std::errc() || end != name.data() + name.size()) {
        return makeError(Reason::InternalError, "strconv.Atoi: parsing \"" + name + "\": invalid syntax");
      }
    }
  } else {
    return makeError(Reason::InternalError, "IntOrString had no kind");
  }
  if (number > 0 && number < 65536) return number;
  return makeError(Reason::InternalError, "invalid port number: " + std::to_string(number));
}

asio::awaitable<ProbeResult> runProbe(const json::object& probe, const ProbeTarget& target,
                                      const ExecFunction& exec, milliseconds second) {
  milliseconds timeout = second * std::max<std::int64_t>(1, intAt(probe, "timeoutSeconds", 1));
  const json::object& container = *target.container;
  if (const json::object* e = api::findObject(probe, "exec")) {
    co_return co_await execProbe(*e, target, exec, timeout);
  }
  if (const json::object* h = api::findObject(probe, "httpGet")) {
    auto port = probePort(h->if_contains("port"), container);
    if (!port) co_return ProbeResult{Outcome::Unknown, port.error().message};
    HttpGetTarget t;
    t.scheme = std::string(api::getString(*h, "scheme"));
    std::transform(t.scheme.begin(), t.scheme.end(), t.scheme.begin(), ::tolower);
    if (t.scheme.empty()) t.scheme = "http";
    t.host = std::string(api::getString(*h, "host"));
    if (t.host.empty()) t.host = target.podIp;
    t.port = *port;
    t.path = std::string(api::getString(*h, "path"));
    if (const json::value* hs = h->if_contains("httpHeaders"); hs && hs->is_array()) {
      for (const auto& header : hs->as_array()) {
        if (!header.is_object()) continue;
        t.headers.emplace_back(std::string(api::getString(header.as_object(), "name")),
                               std::string(api::getString(header.as_object(), "value")));
      }
    }
    co_return co_await httpProbe(std::move(t), timeout);
  }
  if (const json::object* tcp = api::findObject(probe, "tcpSocket")) {
    auto port = probePort(tcp->if_contains("port"), container);
    if (!port) co_return ProbeResult{Outcome::Unknown, port.error().message};
    std::string host(api::getString(*tcp, "host"));
    if (host.empty()) host = target.podIp;
    co_return co_await tcpProbe(std::move(host), *port, timeout);
  }
  if (const json::object* g = api::findObject(probe, "grpc")) {
    int port = static_cast<int>(intAt(*g, "port", -1));
    std::string service(api::getString(*g, "service"));
    std::string host = target.podIp;
    co_return co_await grpcProbe(std::move(host), port, std::move(service), timeout);
  }
  co_return ProbeResult{Outcome::Unknown, "missing probe handler"};
}

}  // namespace kcpp::kubelet::prober
