#pragma once
// The seam between the kubelet's node side (node status, pod sources, mirror
// pods: this folder and ../nodestatus) and its pod-running side (the Kubelet
// class of src/kubelet/kubelet.h: CRI, pod workers, status manager). The
// pod-running side implements PodRuntime; the node side feeds it PodUpdates
// and asks it whether the node is ready.

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

#include "kubelet/config/pod_config.h"
#include "kubelet/nodestatus/node_objects.h"

namespace kcpp::kubelet {

class PodRuntime : public config::PodUpdateHandler {
 public:
  // Readiness for the Ready condition (container runtime answering, network
  // ready) and pressure; upstream's NotReady messages when not.
  virtual nodestatus::NodeHealth health() const = 0;
  // NodeInfo's containerRuntimeVersion, e.g. "containerd://1.6.20"; "" until known.
  virtual std::string containerRuntimeVersion() const = 0;
  // Runs until stop() (on the kubelet's executor).
  virtual boost::asio::awaitable<void> run() = 0;
  virtual void stop() = 0;
};

// What the node side offers the pod-running side besides the updates.
class MirrorPodLookup {
 public:
  virtual ~MirrorPodLookup() = default;
  // The API's mirror pod of a static pod ("namespace/name"), to write its status to.
  virtual std::optional<boost::json::object> mirrorPodOf(const std::string& fullName) const = 0;
};

}  // namespace kcpp::kubelet
