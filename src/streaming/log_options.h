#pragma once
// pods/log query options (upstream's PodLogOptions), parsed and validated the
// same way by the API server (pods/log) and the kubelet (/containerLogs).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::streaming {

using LogTime = std::chrono::sys_time<std::chrono::nanoseconds>;

// RFC 3339 with optional fraction and offset ("2024-01-02T03:04:05.123456789Z").
std::optional<LogTime> parseRfc3339(std::string_view text);

struct LogOptions {
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::optional<std::int64_t> tailLines;
  std::optional<std::int64_t> limitBytes;
  std::optional<std::int64_t> sinceSeconds;
  std::optional<LogTime> sinceTime;
};

// From query parameters, validated as upstream's ValidatePodLogOptions (422
// PodLogOptions "<podName>" is invalid: ...); unparsable values are 400.
using QueryLookup = std::function<std::optional<std::string>(const std::string&)>;
Result<LogOptions> parseLogOptions(const QueryLookup& query, const std::string& podName);

}  // namespace kcpp::streaming
