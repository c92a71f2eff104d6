#pragma once
// Auditor: the policy and the sink of the server's audit log; RequestAudit: one
// request's event, filled in as the request goes through the server, as
// upstream's audit filters do:
//   - the transport creates it when a request's header arrives (audit ID, time,
//     source IPs, URI, user agent) and answers the ID in the Audit-Id header;
//   - after authentication it begins: the policy picks the level, and the
//     RequestReceived stage is written (unless omitted);
//   - the handler adds the authorization decision, the impersonated user,
//     admission's annotations and, at level Request and up, the request object;
//   - the response sets the code (and a Status' fields); a stream writes
//     ResponseStarted when its head is sent; the end writes ResponseComplete.
// A request that failed authentication is written once, at ResponseStarted,
// with an empty user, as upstream's failed-authentication audit does.

#include <boost/json/fwd.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/audit/event.h"
#include "apiserver/audit/log_writer.h"
#include "apiserver/audit/policy.h"

namespace kcpp::apiserver::audit {

class Auditor {
 public:
  Auditor(Policy policy, Sink& sink) : policy_(std::move(policy)), sink_(sink) {}
  const Policy& policy() const { return policy_; }
  void write(const Event& event, Stage stage) const;

 private:
  Policy policy_;
  Sink& sink_;
};

// What the transport knows of a request before authentication.
struct RequestFacts {
  std::string auditId;  // the client's Audit-ID header, or a new UUID
  Clock::time_point received;
  std::string requestUri;
  std::vector<std::string> sourceIps;
  std::string userAgent;
};

class RequestAudit {
 public:
  // `auditor` null: auditing is off; the ID is still answered.
  RequestAudit(const Auditor* auditor, RequestFacts facts);
  ~RequestAudit();  // completes the event if the request ended early
  RequestAudit(const RequestAudit&) = delete;
  RequestAudit& operator=(const RequestAudit&) = delete;

  const std::string& id() const { return event_.auditId; }
  bool active() const { return auditor_ != nullptr; }
  Level level() const { return config_.level; }

  // After authentication. `user` null: authentication failed (the request is
  // answered 401 and written once, at ResponseStarted).
  void begin(const UserInfo* user, const RequestInfo& request);

  void setImpersonatedUser(const UserInfo& user);
  void annotate(std::string key, std::string value);
  // Where admission plugins add their annotations; null when not audited.
  std::vector<std::pair<std::string, std::string>>* annotations();
  // The request body as JSON, kept at level Request and up.
  void setRequestObject(const boost::json::object& object);
  void setRequestObjectJson(std::string_view json);

  // A whole response (its body only looked at when it is a Status, or at level
  // RequestResponse).
  void responded(int code, std::string_view body, bool bodyIsJson);
  // The head of a streamed response was sent (a watch): ResponseStarted.
  void streamStarted(int code);
  // The request is over: ResponseComplete.
  void complete();

 private:
  bool logs() const { return auditor_ != nullptr && config_.level != Level::None; }
  void write(Stage stage) const;
  std::string withoutManagedFields(std::string_view json) const;

  const Auditor* auditor_;
  Event event_;
  RequestAuditConfig config_;
  bool begun_ = false;
  bool failedAuthentication_ = false;
  bool completed_ = false;
};

}  // namespace kcpp::apiserver::audit
