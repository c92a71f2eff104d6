#pragma once
// CRI answers → the runtime-neutral pod view (runtime_pod.h).

#include <map>
#include <string>

#include "cri/api.pb.h"
#include "kubelet/kuberuntime/runtime_pod.h"

namespace kcpp::kubelet::kuberuntime {

namespace v1 = ::runtime::v1;

SystemTime fromNanos(std::int64_t nanos);
RuntimeSandbox toRuntimeSandbox(const v1::PodSandboxStatus& status);
// The termination message is read from the mounted message file (or the log tail
// for FallbackToLogsOnError), as upstream's getTerminationMessage.
RuntimeContainer toRuntimeContainer(const v1::ContainerStatus& status);

// Newest first (by creation time), as upstream sorts them.
void sortNewestFirst(PodRuntimeStatus& status);

// The last lines of a CRI log file, without the "<time> <stream> <tag> " prefixes
// (at most `maxLines` lines and `maxBytes` bytes).
std::string logTail(const std::string& path, std::size_t maxLines = 80, std::size_t maxBytes = 2048);

}  // namespace kcpp::kubelet::kuberuntime
