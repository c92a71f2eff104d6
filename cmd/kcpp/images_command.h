#pragma once
// `kcpp images import FILE... [--address SOCK]`: imports image archives (OCI
// layouts or `docker save` tars, plain or gzip- or zstd-compressed) into containerd's
// k8s.io namespace, for air-gapped nodes. (Upstream has no such command; k3s
// users run `k3s ctr images import` or drop archives into agent/images.)

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace kcpp::cmd {

struct ImagesConfig {
  std::vector<std::string> archives;
  // As k3s's /run/k3s/containerd/containerd.sock.
  std::string address = "/run/kcpp/containerd/containerd.sock";
  std::string containerdNamespace = "k8s.io";
  bool pause = false;  // also import kcpp's own pause image
  int timeoutSeconds = 300;
};

CLI::App* addImagesCommand(CLI::App& app, ImagesConfig& config);
int runImages(const ImagesConfig& config);

}  // namespace kcpp::cmd
