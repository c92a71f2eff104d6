#include "kubelet/kuberuntime/cri_convert.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <sstream>

namespace kcpp::kubelet::kuberuntime {

namespace {

std::string annotation(const google::protobuf::Map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

std::optional<SystemTime> timeOrNone(std::int64_t nanos) {
  if (nanos <= 0) return std::nullopt;
  return fromNanos(nanos);
}

ContainerState stateOf(v1::ContainerState s) {
  switch (s) {
    case v1::CONTAINER_CREATED: return ContainerState::Created;
    case v1::CONTAINER_RUNNING: return ContainerState::Running;
    case v1::CONTAINER_EXITED: return ContainerState::Exited;
    default: return ContainerState::Unknown;
  }
}

constexpr std::size_t kMaxMessageBytes = 4096;

std::string readFile(const std::string& path, std::size_t maxBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string out(maxBytes, '\0');
  in.read(out.data(), static_cast<std::streamsize>(maxBytes));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

std::string terminationMessage(const v1::ContainerStatus& status) {
  std::string path = annotation(status.annotations(), kTerminationMessagePathAnnotation);
  std::string message;
  if (!path.empty()) {
    for (const auto& m : status.mounts()) {
      if (m.container_path() == path) message = readFile(m.host_path(), kMaxMessageBytes);
    }
  }
  bool fallback = annotation(status.annotations(), kTerminationMessagePolicyAnnotation) == "FallbackToLogsOnError";
  if (message.empty() && fallback && status.exit_code() != 0 && !status.log_path().empty()) {
    message = logTail(status.log_path());
  }
  return message;
}

}  // namespace

SystemTime fromNanos(std::int64_t nanos) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(nanos)));
}

RuntimeSandbox toRuntimeSandbox(const v1::PodSandboxStatus& status) {
  RuntimeSandbox s;
  s.id = status.id();
  s.ready = status.state() == v1::SANDBOX_READY;
  s.attempt = static_cast<int>(status.metadata().attempt());
  s.createdAt = timeOrNone(status.created_at());
  s.ip = status.network().ip();
  if (!s.ip.empty()) s.ips.push_back(s.ip);
  for (const auto& ip : status.network().additional_ips()) s.ips.push_back(ip.ip());
  s.hostNetwork = status.linux().namespaces().options().network() == v1::NODE;
  return s;
}

RuntimeContainer toRuntimeContainer(const v1::ContainerStatus& status) {
  RuntimeContainer c;
  c.id = status.id();
  c.name = status.metadata().name();
  auto label = status.labels().find(kContainerNameLabel);
  if (c.name.empty() && label != status.labels().end()) c.name = label->second;
  c.state = stateOf(status.state());
  c.createdAt = timeOrNone(status.created_at());
  c.startedAt = timeOrNone(status.started_at());
  c.finishedAt = timeOrNone(status.finished_at());
  c.exitCode = status.exit_code();
  c.image = status.image().image();
  c.imageRef = status.image_ref();
  c.hash = annotation(status.annotations(), kContainerHashAnnotation);
  std::string restarts = annotation(status.annotations(), kRestartCountAnnotation);
  c.restartCount = restarts.empty() ? 0 : std::atoi(restarts.c_str());
  c.reason = status.reason();
  c.message = status.message();
  if (c.state == ContainerState::Exited && c.message.empty()) c.message = terminationMessage(status);
  return c;
}

void sortNewestFirst(PodRuntimeStatus& status) {
  auto key = [](const auto& x) { return x.createdAt.value_or(SystemTime{}); };
  std::stable_sort(status.sandboxes.begin(), status.sandboxes.end(),
                   [&](const auto& a, const auto& b) { return key(a) > key(b); });
  std::stable_sort(status.containers.begin(), status.containers.end(), [&](const auto& a, const auto& b) {
    // Equal creation times (coarse clocks): the higher restart count is newer.
    if (key(a) == key(b)) return a.restartCount > b.restartCount;
    return key(a) > key(b);
  });
}

std::string logTail(const std::string& path, std::size_t maxLines, std::size_t maxBytes) {
  std::ifstream in(path);
  if (!in) return "";
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    // CRI log line: "<RFC3339Nano> <stdout|stderr> <P|F> <content>"
    std::size_t pos = 0;
    for (int field = 0; field < 3 && pos != std::string::npos; ++field) {
      pos = line.find(' ', pos);
      if (pos != std::string::npos) ++pos;
    }
    lines.push_back(pos == std::string::npos ? line : line.substr(pos));
    if (lines.size() > maxLines) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  if (out.size() > maxBytes) out = out.substr(out.size() - maxBytes);
  return out;
}

}  // namespace kcpp::kubelet::kuberuntime
