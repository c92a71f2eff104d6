// The objects a container's environment refers to, read from the API server.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/meta/object.h"
#include "kubelet/kubelet.h"
#include "kubelet/kubelet_internal.h"

namespace kcpp::kubelet {

namespace kr = kuberuntime;
namespace asio = boost::asio;

namespace {

client::ResourcePath corePath(std::string resource, std::string ns, std::string name = "") {
  client::ResourcePath path;
  path.version = "v1";
  path.resource = std::move(resource);
  path.ns = std::move(ns);
  path.name = std::move(name);
  return path;
}

// The object, nullopt when it does not exist.
Awaitable<Result<std::optional<json::object>>> getOptional(client::RestClient& client, client::ResourcePath path) {
  auto got = co_await client.get(path);
  if (!got) {
    if (got.error().reason == Reason::NotFound) co_return std::optional<json::object>();
    co_return std::move(got).error();
  }
  co_return std::optional<json::object>(std::move(*got));
}

}  // namespace

Kubelet::ApiResources::ApiResources(client::RestClient& client, const KubeletOptions& options, PodVolumes* volumes)
    : client_(client), options_(options), volumes_(volumes) {}

Awaitable<Result<kr::EnvInputs>> Kubelet::ApiResources::envInputs(const json::object& pod, const json::object& container,
                                                                  const std::vector<std::string>& podIps) {
  kr::EnvInputs inputs;
  std::string ns(api::metaNamespace(pod));
  kr::ReferencedObjects refs = kr::referencedObjects(container);
  for (const auto& name : refs.configMaps) {
    client::ResourcePath path = corePath("configmaps", ns, name);  // named: GCC 12 co_await temporaries
    auto cm = co_await getOptional(client_, path);
    if (!cm) co_return std::move(cm).error();
    if (*cm) inputs.configMaps[name] = std::move(**cm);
  }
  for (const auto& name : refs.secrets) {
    client::ResourcePath path = corePath("secrets", ns, name);
    auto secret = co_await getOptional(client_, path);
    if (!secret) co_return std::move(secret).error();
    if (*secret) inputs.secrets[name] = std::move(**secret);
  }
  std::vector<json::object> services;
  const json::value* links = api::findPath(pod, "spec.enableServiceLinks");
  if (!links || !links->is_bool() || links->get_bool()) {
    auto inNamespace = co_await this->services(ns);
    if (!inNamespace) co_return std::move(inNamespace).error();
    services = std::move(*inNamespace);
  }
  auto master = co_await masterService();
  if (master) services.insert(services.end(), master->begin(), master->end());
  inputs.services = kr::servicesForPod(pod, services);
  inputs.hostIp = options_.hostIps.empty() ? "" : options_.hostIps.front();
  inputs.hostIps = options_.hostIps;
  inputs.podIps = podIps;
  const json::value* hostNetwork = api::findPath(pod, "spec.hostNetwork");
  if (hostNetwork && hostNetwork->is_bool() && hostNetwork->get_bool()) inputs.podIps = options_.hostIps;
  inputs.nodeAllocatableMilliCpu = options_.runtime.nodeAllocatableMilliCpu;
  inputs.nodeAllocatableMemoryBytes = options_.runtime.nodeAllocatableMemoryBytes;
  co_return inputs;
}

Awaitable<Result<std::vector<json::object>>> Kubelet::ApiResources::cachedFetch(const std::string& key,
                                                                               client::ResourcePath path, bool list) {
  for (;;) {
    CachedServices& entry = services_[key];  // std::map: the reference stays valid
    if (!entry.loading) break;
    std::shared_ptr<asio::steady_timer> wait = entry.loading;
    co_await wait->async_wait(asio::as_tuple(asio::use_awaitable));
  }
  auto now = std::chrono::steady_clock::now();
  CachedServices& entry = services_[key];
  if (entry.at != std::chrono::steady_clock::time_point{} && now - entry.at < options_.serviceCacheTtl) {
    co_return entry.items;
  }
  auto executor = co_await asio::this_coro::executor;
  entry.loading = std::make_shared<asio::steady_timer>(executor, std::chrono::steady_clock::time_point::max());
  std::vector<json::object> out;
  std::optional<Error> failed;
  if (list) {
    auto got = co_await client_.get(path);
    if (!got) {
      failed = got.error();
    } else if (const json::value* items = got->if_contains("items"); items && items->is_array()) {
      for (const auto& s : items->get_array()) {
        if (!s.is_object()) continue;
        json::object svc = s.get_object();
        // List items may omit the namespace: it is the list's.
        api::ensureObject(svc, "metadata")["namespace"] = path.ns;
        out.push_back(std::move(svc));
      }
    }
  } else {
    auto got = co_await getOptional(client_, path);
    if (!got) failed = got.error();
    else if (*got) out.push_back(std::move(**got));
  }
  CachedServices& done = services_[key];
  std::shared_ptr<asio::steady_timer> loading = std::move(done.loading);
  done.loading.reset();
  if (loading) loading->cancel();
  if (failed) co_return *failed;
  done.at = now;
  done.items = out;
  co_return out;
}

Awaitable<Result<std::vector<json::object>>> Kubelet::ApiResources::services(const std::string& ns) {
  client::ResourcePath path = corePath("services", ns);  // named: GCC 12 co_await temporaries
  co_return co_await cachedFetch(ns, path, true);
}

Awaitable<Result<std::vector<json::object>>> Kubelet::ApiResources::masterService() {
  const std::string key = " master";  // not a namespace name
  client::ResourcePath path = corePath("services", "default", "kubernetes");
  co_return co_await cachedFetch(key, path, false);
}

Awaitable<Result<std::string>> Kubelet::ApiResources::runtimeHandler(const std::string& runtimeClassName) {
  client::ResourcePath path;
  path.group = "node.k8s.io";
  path.version = "v1";
  path.resource = "runtimeclasses";
  path.name = runtimeClassName;
  auto got = co_await client_.get(path);
  if (!got) {
    // Upstream's message when the class does not exist.
    if (got.error().reason == Reason::NotFound) {
      co_return makeError(Reason::NotFound, "RuntimeClass \"" + runtimeClassName + "\" not found");
    }
    co_return std::move(got).error();
  }
  co_return std::string(api::getString(*got, "handler"));
}

Result<std::vector<kr::ContainerMount>> Kubelet::ApiResources::mounts(const json::object& pod, const std::string& container) {
  if (!volumes_) return std::vector<kr::ContainerMount>{};
  return volumes_->mountsFor(pod, container);
}

}  // namespace kcpp::kubelet
