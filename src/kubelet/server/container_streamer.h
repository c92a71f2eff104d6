#pragma once
// ContainerStreamer: what the kubelet server needs from the container runtime
// to serve exec, attach and port-forward. The CRI implementation asks the
// runtime (Exec/Attach/PortForward return a URL on containerd's stream server)
// and relays; tests use a fake (local_process_streamer.h).

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <string>

#include "streaming/portforward.h"
#include "streaming/remotecommand.h"
#include "util/error.h"

namespace kcpp::kubelet::server {

class ContainerStreamer {
 public:
  virtual ~ContainerStreamer() = default;
  // Starts options.command in `container` of `pod`.
  virtual boost::asio::awaitable<Result<streaming::RunningCommandPtr>> exec(
      const boost::json::object& pod, const std::string& container,
      const streaming::CommandOptions& options) = 0;
  // Attaches to the container's main process.
  virtual boost::asio::awaitable<Result<streaming::RunningCommandPtr>> attach(
      const boost::json::object& pod, const std::string& container,
      const streaming::CommandOptions& options) = 0;
  // Connects to ports in the pod's network namespace.
  virtual Result<std::unique_ptr<streaming::PortDialer>> portDialer(const boost::json::object& pod) = 0;
  // Whether the container is running (followed logs end when it stops).
  virtual bool running(const boost::json::object& pod, const std::string& container) = 0;
};

}  // namespace kcpp::kubelet::server
