#pragma once
// Kubelet's private helper classes (kubelet.cpp, api_resources.cpp).

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
  client::RestClient& client_;
  const KubeletOptions& options_;
  PodVolumes* volumes_;
};

}  // namespace kcpp::kubelet
