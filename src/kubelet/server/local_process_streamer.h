#pragma once
// LocalProcessStreamer: a FAKE ContainerStreamer for tests and `kcpp`-less
// development. It runs exec'd commands as child processes of this process
// (not in any container), attaches to a fresh run of the container's
// command+args, and port-forwards to 127.0.0.1. It exists so the kubelet
// server and the API server's proxying can be tested end to end with the real
// kubectl without containerd; the real implementation goes through CRI.

#include <boost/asio/any_io_executor.hpp>

#include "kubelet/server/container_streamer.h"

namespace kcpp::kubelet::server {

class LocalProcessStreamer : public ContainerStreamer {
 public:
  explicit LocalProcessStreamer(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  boost::asio::awaitable<Result<streaming::RunningCommandPtr>> exec(
      const boost::json::object& pod, const std::string& container,
      const streaming::CommandOptions& options) override;
  boost::asio::awaitable<Result<streaming::RunningCommandPtr>> attach(
      const boost::json::object& pod, const std::string& container,
      const streaming::CommandOptions& options) override;
  Result<std::unique_ptr<streaming::PortDialer>> portDialer(const boost::json::object& pod) override;
  bool running(const boost::json::object&, const std::string&) override { return true; }

 private:
  boost::asio::any_io_executor executor_;
};

// Starts `argv` with pipes for stdin/stdout/stderr (exposed for tests).
Result<streaming::RunningCommandPtr> startLocalProcess(const boost::asio::any_io_executor& executor,
                                                       const std::vector<std::string>& argv);

}  // namespace kcpp::kubelet::server
