#include "apiserver/audit/event.h"

#include <boost/json.hpp>

#include <cstdio>
#include <ctime>
#include <map>
#include <random>

namespace kcpp::apiserver::audit {

namespace json = boost::json;

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if the bytes there are not one.
std::size_t utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xC2) return 0;                          // overlong
  if (n == 3 && c == 0xE0 && byte(i + 1) < 0xA0) return 0;  // overlong
  if (n == 3 && c == 0xED && byte(i + 1) >= 0xA0) return 0;  // surrogate
  if (n == 4 && c == 0xF0 && byte(i + 1) < 0x90) return 0;  // overlong
  if (n == 4 && (c > 0xF4 || (c == 0xF4 && byte(i + 1) >= 0x90))) return 0;  // > U+10FFFF
  return n;
}

void appendKey(std::string& out, const char* key) {
  out += '"';
  out += key;
  out += "\":";
}

void appendStringField(std::string& out, const char* key, std::string_view value, bool omitEmpty) {
  if (omitEmpty && value.empty()) return;
  appendKey(out, key);
  appendJsonString(out, value);
  out += ',';
}

void appendStringList(std::string& out, const std::vector<std::string>& list) {
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out += ',';
    appendJsonString(out, list[i]);
  }
  out += ']';
}

void closeObject(std::string& out) {
  if (out.back() == ',') out.back() = '}';
  else out += '}';
}

void appendUser(std::string& out, const char* key, const std::optional<UserInfo>& user) {
  appendKey(out, key);
  out += '{';
  if (user) {
    appendStringField(out, "username", user->name, true);
    appendStringField(out, "uid", user->uid, true);
    if (!user->groups.empty()) {
      appendKey(out, "groups");
      appendStringList(out, user->groups);
      out += ',';
    }
  }
  closeObject(out);
  out += ',';
}

void appendObjectRef(std::string& out, const ObjectRef& ref) {
  appendKey(out, "objectRef");
  out += '{';
  appendStringField(out, "resource", ref.resource, true);
  appendStringField(out, "namespace", ref.namespace_, true);
  appendStringField(out, "name", ref.name, true);
  appendStringField(out, "apiGroup", ref.apiGroup, true);
  appendStringField(out, "apiVersion", ref.apiVersion, true);
  appendStringField(out, "subresource", ref.subresource, true);
  closeObject(out);
  out += ',';
}

void appendResponseStatus(std::string& out, const Event& event) {
  appendKey(out, "responseStatus");
  out += "{\"metadata\":{},";
  if (!event.statusFields.empty()) {
    out += event.statusFields;
    out += ',';
  }
  out += "\"code\":" + std::to_string(event.code) + "},";
}

void appendAnnotations(std::string& out, const Event& event) {
  if (event.annotations.empty()) return;
  std::map<std::string_view, std::string_view> sorted;
  for (const auto& [k, v] : event.annotations) sorted.emplace(k, v);  // first value wins
  appendKey(out, "annotations");
  out += '{';
  for (const auto& [k, v] : sorted) {
    appendJsonString(out, k);
    out += ':';
    appendJsonString(out, v);
    out += ',';
  }
  closeObject(out);
  out += ',';
}

}  // namespace

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t n = utf8SequenceLength(s, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
        continue;
      }
      std::string_view seq = s.substr(i, n);
      if (seq == "\xE2\x80\xA8") out += "\\u2028";  // Go escapes the JS line separators
      else if (seq == "\xE2\x80\xA9") out += "\\u2029";
      else out += seq;
      i += n;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        // Control characters, and <, >, & as Go's HTML-safe encoder writes them.
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

std::string microTime(Clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];  // sized for any int the format could print
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros % 1000000));
  return buf;
}

std::string encodeEvent(const Event& event, Stage stage, Clock::time_point stageTime) {
  std::string out;
  out.reserve(512 + event.requestObject.size() + event.responseObject.size());
  out += "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",";
  appendStringField(out, "level", levelName(event.level), false);
  appendStringField(out, "auditID", event.auditId, false);
  appendStringField(out, "stage", stageName(stage), false);
  appendStringField(out, "requestURI", event.requestUri, false);
  appendStringField(out, "verb", event.verb, false);
  appendUser(out, "user", event.user);
  if (event.impersonatedUser) appendUser(out, "impersonatedUser", event.impersonatedUser);
  if (!event.sourceIps.empty()) {
    appendKey(out, "sourceIPs");
    appendStringList(out, event.sourceIps);
    out += ',';
  }
  appendStringField(out, "userAgent", event.userAgent, true);
  if (event.objectRef) appendObjectRef(out, *event.objectRef);
  if (event.code != 0) appendResponseStatus(out, event);
  if (!event.requestObject.empty()) {
    appendKey(out, "requestObject");
    out += event.requestObject;
    out += ',';
  }
  if (!event.responseObject.empty()) {
    appendKey(out, "responseObject");
    out += event.responseObject;
    out += ',';
  }
  appendStringField(out, "requestReceivedTimestamp", microTime(event.requestReceived), false);
  appendStringField(out, "stageTimestamp",
                    microTime(stage == Stage::RequestReceived ? event.requestReceived : stageTime),
                    false);
  appendAnnotations(out, event);
  closeObject(out);
  return out;
}

std::string statusFieldsOf(std::string_view body) {
  if (body.find("\"Status\"") == std::string_view::npos) return "";
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  const json::object& o = v.get_object();
  auto kind = o.find("kind");
  if (kind == o.end() || kind->value() != "Status") return "";
  std::string out;
  for (const char* key : {"status", "message", "reason", "details"}) {
    auto it = o.find(key);
    if (it == o.end()) continue;
    if (!out.empty()) out += ',';
    appendKey(out, key);
    if (it->value().is_string()) appendJsonString(out, it->value().get_string());
    else out += json::serialize(it->value());
  }
  return out;
}

std::string newUuid() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uint64_t hi = random();
  std::uint64_t lo = random();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace kcpp::apiserver::audit
