#pragma once
// Exec probes through the container runtime: an ExecFunction over CRI ExecSync.

#include "kubelet/cri/runtime_service.h"
#include "kubelet/prober/prober.h"

namespace kcpp::kubelet::prober {

// ExecSyncRequest{container_id, cmd, timeout (whole seconds, at least 1)}; output
// is stdout then stderr; a Timeout error (DEADLINE_EXCEEDED) is a timed-out probe.
// `runtime` must outlive the function.
ExecFunction criExec(cri::RuntimeService& runtime);

}  // namespace kcpp::kubelet::prober
