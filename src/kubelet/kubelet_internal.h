#pragma once
// Kubelet's private helper classes (kubelet.cpp, api_resources.cpp).

#include <boost/asio/steady_timer.hpp>

#include <memory>

#include "kubelet/kubelet.h"

namespace kcpp::kubelet {

// ConfigMaps, Secrets and Services from the API; mounts from the volumes.
class Kubelet::ApiResources : public kuberuntime::PodResources {
 public:
  ApiResources(client::RestClient& client, const KubeletOptions& options, PodVolumes* volumes);
  Awaitable<Result<kuberuntime::EnvInputs>> envInputs(const json::object& pod, const json::object& container,
                                                      const std::vector<std::string>& podIps) override;
  Result<std::vector<kuberuntime::ContainerMount>> mounts(const json::object& pod, const std::string& container) override;
  Awaitable<Result<std::string>> runtimeHandler(const std::string& runtimeClassName) override;

 private:
  // The services of a namespace ("" key: default/kubernetes), briefly cached.
  Awaitable<Result<std::vector<json::object>>> services(const std::string& ns);
  Awaitable<Result<std::vector<json::object>>> masterService();

  struct CachedServices {
    std::chrono::steady_clock::time_point at;
    std::vector<json::object> items;
    // Set while one fetch runs: the others wait for it (a burst of new pods
    // makes one request per namespace, not one per pod).
    std::shared_ptr<boost::asio::steady_timer> loading;
  };
  Awaitable<Result<std::vector<json::object>>> cachedFetch(const std::string& key, client::ResourcePath path, bool list);
  client::RestClient& client_;
  const KubeletOptions& options_;
  PodVolumes* volumes_;
  std::map<std::string, CachedServices> services_;
};

}  // namespace kcpp::kubelet
