#include "apiserver/audit/auditor.h"

#include <boost/json.hpp>

namespace kcpp::apiserver::audit {

namespace json = boost::json;

namespace {

// Whether a response body is a Status: kcpp writes "kind" first, so its head tells.
bool looksLikeStatus(std::string_view body) {
  return body.substr(0, 64).find("\"Status\"") != std::string_view::npos;
}

void dropManagedFields(json::value& v) {
  if (!v.is_object()) return;
  json::object& o = v.get_object();
  if (auto* meta = o.if_contains("metadata"); meta && meta->is_object()) {
    meta->get_object().erase("managedFields");
  }
  if (auto* items = o.if_contains("items"); items && items->is_array()) {
    for (auto& item : items->get_array()) dropManagedFields(item);
  }
}

}  // namespace

void Auditor::write(const Event& event, Stage stage) const {
  sink_.write(encodeEvent(event, stage, Clock::now()));
}

RequestAudit::RequestAudit(const Auditor* auditor, RequestFacts facts) : auditor_(auditor) {
  event_.auditId = std::move(facts.auditId);
  event_.requestReceived = facts.received;
  event_.requestUri = std::move(facts.requestUri);
  event_.sourceIps = std::move(facts.sourceIps);
  event_.userAgent = std::move(facts.userAgent);
}

RequestAudit::~RequestAudit() {
  if (begun_ && !completed_) complete();
}

void RequestAudit::begin(const UserInfo* user, const RequestInfo& request) {
  if (!auditor_ || begun_) return;
  begun_ = true;
  failedAuthentication_ = user == nullptr;
  config_ = auditor_->policy().evaluate(user, request);
  if (config_.level == Level::None) return;
  event_.level = config_.level;
  event_.verb = request.verb;
  if (user) event_.user = *user;
  if (request.isResourceRequest) {
    event_.objectRef = ObjectRef{request.resource, request.namespace_, request.name,
                                 request.apiGroup, request.apiVersion, request.subresource};
  }
  if (!failedAuthentication_) write(Stage::RequestReceived);
}

void RequestAudit::setImpersonatedUser(const UserInfo& user) {
  if (logs()) event_.impersonatedUser = user;
}

void RequestAudit::annotate(std::string key, std::string value) {
  if (logs()) event_.annotations.emplace_back(std::move(key), std::move(value));
}

std::vector<std::pair<std::string, std::string>>* RequestAudit::annotations() {
  return logs() ? &event_.annotations : nullptr;
}

void RequestAudit::setRequestObject(const json::object& object) {
  if (!logs() || config_.level < Level::Request) return;
  if (config_.omitManagedFields) {
    json::value copy = object;
    dropManagedFields(copy);
    event_.requestObject = json::serialize(copy);
  } else {
    event_.requestObject = json::serialize(object);
  }
}

void RequestAudit::setRequestObjectJson(std::string_view text) {
  if (!logs() || config_.level < Level::Request) return;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return;  // not JSON (e.g. an apply patch in YAML): nothing to embed
  if (config_.omitManagedFields) dropManagedFields(v);
  event_.requestObject = json::serialize(v);
}

void RequestAudit::responded(int code, std::string_view body, bool bodyIsJson) {
  if (!logs()) return;
  event_.code = code;
  if (bodyIsJson && looksLikeStatus(body)) event_.statusFields = statusFieldsOf(body);
  if (config_.level == Level::RequestResponse && bodyIsJson && !body.empty()) {
    event_.responseObject = withoutManagedFields(body);
  }
}

void RequestAudit::streamStarted(int code) {
  if (!logs()) return;
  event_.code = code;
  write(Stage::ResponseStarted);
}

void RequestAudit::complete() {
  if (completed_ || !begun_) return;
  completed_ = true;
  if (!logs()) return;
  if (event_.code == 0) {
    // Upstream's stand-in when nothing was answered: the client went away.
    event_.code = 200;
    event_.statusFields = "\"status\":\"Success\",\"message\":\"Connection closed early\"";
  }
  write(failedAuthentication_ ? Stage::ResponseStarted : Stage::ResponseComplete);
}

void RequestAudit::write(Stage stage) const {
  if (!config_.omits(stage)) auditor_->write(event_, stage);
}

std::string RequestAudit::withoutManagedFields(std::string_view text) const {
  // A pretty-printed body is re-encoded: an event is one line.
  bool multiLine = text.find('\n') != std::string_view::npos;
  if (!config_.omitManagedFields && !multiLine) return std::string(text);
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return "";
  dropManagedFields(v);
  return json::serialize(v);
}

}  // namespace kcpp::apiserver::audit
