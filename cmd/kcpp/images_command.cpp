#include "images_command.h"

#include <cstdio>

#include "kubelet/images/builtin_images.h"
#include "kubelet/images/image_import.h"

namespace kcpp::cmd {
namespace {

using kubelet::images::ImportedArchive;

void report(const ImportedArchive& done) {
  for (const auto& image : done.images) std::printf("imported %s\n", image.c_str());
  std::fprintf(stderr, "%s: %zu image(s) in %lld ms\n", done.source.c_str(), done.images.size(),
               static_cast<long long>(done.took.count()));
}

}  // namespace

CLI::App* addImagesCommand(CLI::App& app, ImagesConfig& c) {
  CLI::App* images = app.add_subcommand("images", "Manage the node's container images");
  images->require_subcommand(1);
  CLI::App* import = images->add_subcommand(
      "import", "Import image archives (OCI or docker save tars, optionally gzip- or zstd-compressed) into containerd");
  import->add_option("archives", c.archives, "Archive files");
  import->add_option("--address,-a", c.address, "containerd's socket")->capture_default_str();
  import->add_option("--namespace,-n", c.containerdNamespace, "containerd namespace (CRI uses k8s.io)")
      ->capture_default_str();
  import->add_flag("--pause", c.pause, std::string("Also import kcpp's own pause image (") +
                                           kubelet::images::kPauseImage + ")");
  import->add_option("--timeout", c.timeoutSeconds, "Seconds allowed per archive")
      ->capture_default_str()->check(CLI::Range(1, 86400));
  return images;
}

int runImages(const ImagesConfig& c) {
  if (c.archives.empty() && !c.pause) {
    std::fprintf(stderr, "kcpp images import: no archive given (FILE... or --pause)\n");
    return 2;
  }
  kubelet::images::ImportOptions options;
  options.address = c.address;
  options.containerdNamespace = c.containerdNamespace;
  options.timeout = std::chrono::seconds(c.timeoutSeconds);
  int failures = 0;
  if (c.pause) {
    auto done = kubelet::images::importPauseImage(options);
    if (!done) {
      std::fprintf(stderr, "error: %s\n", done.error().message.c_str());
      return 1;  // the same error would follow for every archive
    }
    report(*done);
  }
  for (const auto& archive : c.archives) {
    auto done = kubelet::images::importArchive(options, archive);
    if (!done) {
      std::fprintf(stderr, "error: %s\n", done.error().message.c_str());
      ++failures;
      continue;
    }
    report(*done);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace kcpp::cmd
