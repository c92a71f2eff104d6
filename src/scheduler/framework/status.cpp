#include "scheduler/framework/status.h"

#include <algorithm>

namespace kcpp::scheduler {

std::string Status::message() const {
  std::string out;
  for (const std::string& r : reasons) {
    if (!out.empty()) out += ", ";
    out += r;
  }
  return out;
}

std::string FitError::message() const {
  std::string out = "0/" + std::to_string(numAllNodes) + " nodes are available:";
  if (!preFilterMessage.empty()) {
    out += " " + preFilterMessage + ".";
  } else {
    // A histogram of reasons, "count reason", sorted as strings (as upstream's).
    std::map<std::string, int> counts;
    for (const auto& [node, status] : nodeToStatus) {
      for (const std::string& r : status.reasons) ++counts[r];
    }
    std::vector<std::string> lines;
    for (const auto& [reason, n] : counts) lines.push_back(std::to_string(n) + " " + reason);
    std::sort(lines.begin(), lines.end());
    if (!lines.empty()) {
      out += " ";
      for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? ", " : "") + lines[i];
      out += ".";
    }
  }
  if (!postFilterMessage.empty()) out += " " + postFilterMessage;
  return out;
}

}  // namespace kcpp::scheduler
