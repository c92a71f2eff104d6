#pragma once
// One audit event (audit.k8s.io/v1 Event) and its JSON line. The event is filled
// in as a request goes through the server and encoded once per stage; the
// encoding follows upstream's field order and omits empty fields as Go's
// `omitempty` does, so tools that read upstream's audit logs read these.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "apiserver/audit/policy.h"
#include "apiserver/authn/authenticator.h"

namespace kcpp::apiserver::audit {

using Clock = std::chrono::system_clock;

struct ObjectRef {
  std::string resource;
  std::string namespace_;
  std::string name;
  std::string apiGroup;
  std::string apiVersion;
  std::string subresource;
};

struct Event {
  Level level = Level::Metadata;
  std::string auditId;
  std::string requestUri;
  std::string verb;
  std::optional<UserInfo> user;  // unset: authentication failed (`"user":{}`)
  std::optional<UserInfo> impersonatedUser;
  std::vector<std::string> sourceIps;
  std::string userAgent;
  std::optional<ObjectRef> objectRef;  // resource requests only
  // responseStatus: the code, and for a response carrying a Status (errors), its
  // status / message / reason / details as encoded JSON fields.
  int code = 0;
  std::string statusFields;  // e.g. `"status":"Failure","message":"..."`, or empty
  std::string requestObject;   // encoded JSON, Request level and up
  std::string responseObject;  // encoded JSON, RequestResponse level
  Clock::time_point requestReceived;
  // Keys are written sorted (a Go map); the first value set for a key wins.
  std::vector<std::pair<std::string, std::string>> annotations;
};

// The JSON line (without the newline) of `event` at `stage`, stamped `stageTime`.
std::string encodeEvent(const Event& event, Stage stage, Clock::time_point stageTime);

// RFC 3339 with microseconds in UTC, as Go's metav1.MicroTime: 2024-05-01T10:00:00.123456Z.
std::string microTime(Clock::time_point t);

// A JSON string literal of `s`, quoted and escaped; bytes that are not valid
// UTF-8 become U+FFFD as Go's encoder makes them.
void appendJsonString(std::string& out, std::string_view s);

// The fields of a Status body that an event's responseStatus keeps (status,
// message, reason, details), as `"k":v,...`; empty if `body` is not a Status.
std::string statusFieldsOf(std::string_view body);

// A new random (version 4) UUID.
std::string newUuid();

}  // namespace kcpp::apiserver::audit
