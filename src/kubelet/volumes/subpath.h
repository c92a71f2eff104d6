#pragma once
// volumeMounts[].subPath and subPathExpr, resolved safely as upstream's kubelet
// (makeMounts + pkg/volume/util/subpath): no absolute paths, no "..", and no
// symlink (inside the volume, or planted by a container) that leads out of it.

#include <map>
#include <string>

#include "util/error.h"

namespace kcpp::kubelet::volumes {

// Upstream's expansion.Expand: "$(NAME)" → value, "$$" → "$", anything else kept.
// Error "missing value for A, B" when a referenced variable is unset or empty.
Result<std::string> expandSubPathExpr(const std::string& expr,
                                      const std::map<std::string, std::string>& env);

// The host path to mount for `subPath` inside the volume at `volumePath`: created
// (with the volume's mode) when missing, every symlink resolved and checked to
// stay inside the volume. Errors carry upstream's user-facing messages.
Result<std::string> resolveSubPath(const std::string& volumePath, const std::string& subPath,
                                   const std::string& mountName, const std::string& containerName);

}  // namespace kcpp::kubelet::volumes
