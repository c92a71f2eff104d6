#pragma once
// hostPath type checks (pkg/volume/hostpath): what must be at the path before a
// pod may use it, with upstream's messages.

#include <string>

#include "util/error.h"

namespace kcpp::kubelet::volumes {

// type: "" (no check), DirectoryOrCreate, Directory, FileOrCreate, File, Socket,
// CharDevice, BlockDevice. *OrCreate makes a missing directory (0755) or an empty
// file (0644), as upstream.
Result<void> checkHostPathType(const std::string& path, const std::string& type);

}  // namespace kcpp::kubelet::volumes
