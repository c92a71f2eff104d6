#include "server_bootstrap.h"

#include <arpa/inet.h>
#include <boost/json.hpp>

namespace kcpp::cmd {

namespace json = boost::json;

Result<std::string> firstIpOf(const std::string& cidr) {
  auto slash = cidr.find('/');
  std::string address = cidr.substr(0, slash);
  in_addr addr{};
  if (slash == std::string::npos || inet_pton(AF_INET, address.c_str(), &addr) != 1) {
    return makeError(Reason::BadRequest, "invalid service CIDR \"" + cidr + "\"");
  }
  int bits = std::atoi(cidr.c_str() + slash + 1);
  if (bits < 1 || bits > 30) {
    return makeError(Reason::BadRequest, "invalid service CIDR prefix in \"" + cidr + "\"");
  }
  std::uint32_t host = ntohl(addr.s_addr);
  std::uint32_t mask = bits == 32 ? 0xffffffffu : ~((1u << (32 - bits)) - 1);
  addr.s_addr = htonl((host & mask) + 1);
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return std::string(buf);
}

static boost::asio::awaitable<Result<void>> ensure(apiserver::Registry& registry,
                                                   const std::string& ns, json::object obj) {
  std::string name(obj["metadata"].as_object()["name"].as_string());
  auto found = co_await registry.get(ns, name);
  if (found) co_return Result<void>{};
  if (found.error().reason != Reason::NotFound) co_return std::move(found).error();
  apiserver::WriteOptions options;  // named: GCC 12 mishandles `{}` temporaries in co_await
  auto created = co_await registry.create(ns, std::move(obj), options);
  if (!created && created.error().reason != Reason::AlreadyExists) {
    co_return std::move(created).error();
  }
  co_return Result<void>{};
}

boost::asio::awaitable<Result<void>> ensureSystemObjects(apiserver::Registry& namespaces,
                                                         apiserver::Registry& services,
                                                         BootstrapConfig config) {
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    json::object ns{{"apiVersion", "v1"}, {"kind", "Namespace"},
                    {"metadata", json::object{{"name", name}}}};
    if (auto ok = co_await ensure(namespaces, "", std::move(ns)); !ok) co_return ok;
  }
  json::object port{{"name", "https"}, {"port", 443}, {"protocol", "TCP"},
                    {"targetPort", config.securePort}};
  json::object spec{{"type", "ClusterIP"},
                    {"clusterIP", config.firstServiceIp},
                    {"clusterIPs", json::array{json::string(config.firstServiceIp)}},
                    {"ipFamilies", json::array{"IPv4"}},
                    {"ipFamilyPolicy", "SingleStack"},
                    {"internalTrafficPolicy", "Cluster"},
                    {"sessionAffinity", "None"},
                    {"ports", json::array{port}}};
  json::object svc{{"apiVersion", "v1"},
                   {"kind", "Service"},
                   {"metadata", json::object{{"name", "kubernetes"},
                                             {"namespace", "default"},
                                             {"labels", json::object{{"component", "apiserver"},
                                                                     {"provider", "kubernetes"}}}}},
                   {"spec", std::move(spec)}};
  co_return co_await ensure(services, "default", std::move(svc));
}

boost::asio::awaitable<Result<void>> ensureSystemPriorityClasses(
    apiserver::Registry& priorityClasses) {
  struct SystemClass {
    const char* name;
    std::int64_t value;
    const char* description;
  };
  static const SystemClass classes[] = {
      {"system-node-critical", 2000001000,
       "Used for system critical pods that must not be moved from their current node."},
      {"system-cluster-critical", 2000000000,
       "Used for system critical pods that must run in the cluster, but can be moved to another "
       "node if necessary."}};
  for (const SystemClass& c : classes) {
    json::object pc{{"apiVersion", "scheduling.k8s.io/v1"},
                    {"kind", "PriorityClass"},
                    {"metadata", json::object{{"name", c.name}}},
                    {"value", c.value},
                    {"description", c.description},
                    {"preemptionPolicy", "PreemptLowerPriority"}};
    if (auto ok = co_await ensure(priorityClasses, "", std::move(pc)); !ok) co_return ok;
  }
  co_return Result<void>{};
}

boost::asio::awaitable<Result<void>> ensureLocalPathStorageClass(apiserver::Registry& storageClasses) {
  json::object annotations{{"storageclass.kubernetes.io/is-default-class", "true"}};
  json::object sc{{"apiVersion", "storage.k8s.io/v1"},
                  {"kind", "StorageClass"},
                  {"metadata", json::object{{"name", "local-path"}, {"annotations", std::move(annotations)}}},
                  {"provisioner", "rancher.io/local-path"},
                  {"reclaimPolicy", "Delete"},
                  {"volumeBindingMode", "WaitForFirstConsumer"}};
  co_return co_await ensure(storageClasses, "", std::move(sc));
}

}  // namespace kcpp::cmd
