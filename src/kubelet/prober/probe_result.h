#pragma once
// The outcome of one probe run (upstream's pkg/probe Result plus its output).

#include <chrono>
#include <string>

namespace kcpp::kubelet::prober {

enum class Outcome {
  Success,
  Warning,  // success, with an event (an HTTP redirect to another host)
  Failure,
  Unknown,  // the probe could not run (bad port name, runtime error): result discarded
};

struct ProbeResult {
  Outcome outcome = Outcome::Unknown;
  std::string output;  // the event message's detail
};

// Go's time.Duration String() for whole milliseconds: "1s", "500ms", "1.5s".
std::string goDuration(std::chrono::milliseconds d);

}  // namespace kcpp::kubelet::prober
