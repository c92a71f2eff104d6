#pragma once
// Status: a plugin's verdict (upstream's framework.Status), and FitError, the
// summary of why no node fits a pod ("0/3 nodes are available: ...").

#include <map>
#include <string>
#include <vector>

namespace kcpp::scheduler {

enum class Code {
  Success,
  Error,
  Unschedulable,                 // preemption may help
  UnschedulableAndUnresolvable,  // preemption cannot help
  Skip,                          // PreFilter/PreScore: the plugin has nothing to do for this pod
};

struct Status {
  Code code = Code::Success;
  std::vector<std::string> reasons;
  std::string plugin;  // the plugin that failed

  static Status success() { return {}; }
  static Status skip() { return {Code::Skip, {}, {}}; }
  static Status error(std::string message) { return {Code::Error, {std::move(message)}, {}}; }
  static Status unschedulable(std::string reason) { return {Code::Unschedulable, {std::move(reason)}, {}}; }
  static Status unresolvable(std::string reason) {
    return {Code::UnschedulableAndUnresolvable, {std::move(reason)}, {}};
  }
  bool ok() const { return code == Code::Success; }
  bool isSkip() const { return code == Code::Skip; }
  bool isRejected() const {
    return code == Code::Unschedulable || code == Code::UnschedulableAndUnresolvable;
  }
  std::string message() const;  // reasons joined by ", "
};

// Why a pod fits no node: each rejected node's status, or a PreFilter's
// rejection that applies to all, plus what PostFilter (preemption) said.
struct FitError {
  int numAllNodes = 0;
  std::map<std::string, Status> nodeToStatus;
  std::string preFilterMessage;
  std::string postFilterMessage;

  // upstream's FitError.Error(): "0/N nodes are available: <count reason, ...>. <postfilter>"
  std::string message() const;
};

}  // namespace kcpp::scheduler
