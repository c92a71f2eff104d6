// Build-time tool: writes kcpp's images as OCI archives (no network, same bytes
// on every build), with the same writer kcpp itself uses.
//
//   kcpp_image_tool pause OUT.tar
//   kcpp_image_tool busybox /bin/busybox OUT.tar
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "kubelet/images/builtin_images.h"
#include "kubelet/images/child_process.h"
#include "pki/atomic_file.h"

namespace {

using namespace kcpp;
using namespace kcpp::kubelet::images;

int fail(const std::string& message) {
  std::fprintf(stderr, "kcpp_image_tool: %s\n", message.c_str());
  return 1;
}

Result<ImageSpec> busyboxSpec(const std::string& binaryPath) {
  auto binary = pki::readFile(binaryPath);
  if (!binary) return std::move(binary).error();
  // The applets this busybox was built with, each at its usual path.
  std::vector<std::string> argv = {binaryPath, "--list-full"};
  auto list = runProcess(argv, {}, std::chrono::seconds(30));
  if (!list) return std::move(list).error();
  if (!list->succeeded()) return makeError(Reason::InternalError, binaryPath + " --list-full failed: " + list->err);
  return busyboxImageSpec(std::move(*binary), list->out);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Result<ImageSpec> spec = makeError(Reason::BadRequest, "usage: kcpp_image_tool pause OUT.tar | busybox BUSYBOX OUT.tar");
  if (args.size() == 2 && args[0] == "pause") spec = pauseImageSpec();
  if (args.size() == 3 && args[0] == "busybox") spec = busyboxSpec(args[1]);
  if (!spec) return fail(spec.error().message);
  auto written = writeOciArchive(*spec, args.back());
  if (!written) return fail(written.error().message);
  std::printf("%s: %s (%zu bytes, layer %s)\n", args.back().c_str(), spec->reference.c_str(),
              written->bytes.size(), written->layerDigest.c_str());
  return 0;
}
