#include "client/rest/transport.h"

#include <boost/json/parse.hpp>

namespace kcpp::client {

namespace json = boost::json;
using boost::system::error_code;

namespace {

Reason reasonNamed(std::string_view name, int code) {
  static const std::pair<const char*, Reason> names[] = {
      {"BadRequest", Reason::BadRequest},   {"Unauthorized", Reason::Unauthorized},
      {"Forbidden", Reason::Forbidden},     {"NotFound", Reason::NotFound},
      {"MethodNotAllowed", Reason::MethodNotAllowed},
      {"NotAcceptable", Reason::NotAcceptable},
      {"AlreadyExists", Reason::AlreadyExists}, {"Conflict", Reason::Conflict},
      {"Gone", Reason::Gone},               {"Expired", Reason::Expired},
      {"RequestEntityTooLarge", Reason::RequestEntityTooLarge},
      {"UnsupportedMediaType", Reason::UnsupportedMediaType},
      {"Invalid", Reason::Invalid},         {"TooManyRequests", Reason::TooManyRequests},
      {"InternalError", Reason::InternalError},
      {"ServiceUnavailable", Reason::ServiceUnavailable}, {"Timeout", Reason::Timeout}};
  for (const auto& [n, r] : names) {
    if (name == n) return r;
  }
  // No (known) reason: what the code alone says, as client-go's reasonForCode.
  switch (code) {
    case 400: return Reason::BadRequest;
    case 401: return Reason::Unauthorized;
    case 403: return Reason::Forbidden;
    case 404: return Reason::NotFound;
    case 405: return Reason::MethodNotAllowed;
    case 406: return Reason::NotAcceptable;
    case 409: return Reason::Conflict;
    case 410: return Reason::Gone;
    case 413: return Reason::RequestEntityTooLarge;
    case 415: return Reason::UnsupportedMediaType;
    case 422: return Reason::Invalid;
    case 429: return Reason::TooManyRequests;
    case 503: return Reason::ServiceUnavailable;
    case 504: return Reason::Timeout;
    default: return code >= 500 ? Reason::InternalError : Reason::Unknown;
  }
}

std::string stringField(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it != obj.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

}  // namespace

Error errorFromResponse(int httpStatus, const std::string& body) {
  error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object() || stringField(parsed.get_object(), "kind") != "Status") {
    Error e = makeError(reasonNamed("", httpStatus),
                        "the server answered " + std::to_string(httpStatus) + ": " + body.substr(0, 512));
    return e;
  }
  const json::object& status = parsed.get_object();
  Error e = makeError(reasonNamed(stringField(status, "reason"), httpStatus),
                      stringField(status, "message"));
  if (auto* details = status.if_contains("details"); details && details->is_object()) {
    const json::object& d = details->get_object();
    e.name = stringField(d, "name");
    e.group = stringField(d, "group");
    e.kind = stringField(d, "kind");
    if (auto* causes = d.if_contains("causes"); causes && causes->is_array()) {
      for (const auto& c : causes->get_array()) {
        if (!c.is_object()) continue;
        e.causes.push_back(Cause{stringField(c.get_object(), "reason"),
                                 stringField(c.get_object(), "message"),
                                 stringField(c.get_object(), "field")});
      }
    }
  }
  return e;
}

std::optional<Result<WatchEvent>> WatchLineDecoder::next() {
  while (true) {
    auto nl = pending_.find('\n', consumed_);
    if (nl == std::string::npos) {
      // Keep only the partial line: the buffer never grows past one event.
      pending_.erase(0, consumed_);
      consumed_ = 0;
      return std::nullopt;
    }
    std::string_view line(pending_.data() + consumed_, nl - consumed_);
    consumed_ = nl + 1;
    if (line.empty()) continue;
    error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) {
      return Result<WatchEvent>(makeError(Reason::InternalError, "watch stream: undecodable event: " +
                                                                     std::string(line.substr(0, 200))));
    }
    json::object& event = v.get_object();
    WatchEvent out;
    out.type = stringField(event, "type");
    if (auto* obj = event.if_contains("object"); obj && obj->is_object()) {
      out.object = std::move(obj->get_object());
    }
    return Result<WatchEvent>(std::move(out));
  }
}

}  // namespace kcpp::client
