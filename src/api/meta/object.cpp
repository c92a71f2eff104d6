#include "api/meta/object.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <random>

namespace kcpp::api {

json::object& ensureObject(json::object& obj, std::string_view key) {
  json::value& v = obj[key];
  if (!v.is_object()) v = json::object();
  return v.get_object();
}

const json::object* findObject(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->value().is_object()) return nullptr;
  return &it->value().get_object();
}

json::object* findObject(json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->value().is_object()) return nullptr;
  return &it->value().get_object();
}

std::string_view getString(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->value().is_string()) return {};
  const json::string& s = it->value().get_string();
  return {s.data(), s.size()};
}

const json::value* findPath(const json::object& obj, std::string_view dottedPath) {
  const json::object* cur = &obj;
  while (true) {
    auto dot = dottedPath.find('.');
    std::string_view head = dottedPath.substr(0, dot);
    auto it = cur->find(head);
    if (it == cur->end()) return nullptr;
    if (dot == std::string_view::npos) return &it->value();
    if (!it->value().is_object()) return nullptr;
    cur = &it->value().get_object();
    dottedPath.remove_prefix(dot + 1);
  }
}

static std::string_view metaString(const json::object& obj, std::string_view key) {
  const json::object* meta = findObject(obj, "metadata");
  return meta ? getString(*meta, key) : std::string_view{};
}

std::string_view metaName(const json::object& obj) { return metaString(obj, "name"); }
std::string_view metaNamespace(const json::object& obj) { return metaString(obj, "namespace"); }
std::string_view metaResourceVersion(const json::object& obj) {
  return metaString(obj, "resourceVersion");
}

std::map<std::string, std::string> metaLabels(const json::object& obj) {
  std::map<std::string, std::string> out;
  const json::object* meta = findObject(obj, "metadata");
  const json::object* labels = meta ? findObject(*meta, "labels") : nullptr;
  if (!labels) return out;
  for (const auto& kv : *labels) {
    if (kv.value().is_string()) out.emplace(kv.key(), kv.value().get_string());
  }
  return out;
}

std::string formatTime(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

std::optional<std::chrono::system_clock::time_point> parseTime(std::string_view text) {
  std::tm tm{};
  std::string s(text);
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) return std::nullopt;
  std::time_t secs = timegm(&tm);
  auto tp = std::chrono::system_clock::from_time_t(secs);
  // Fractional seconds and offsets: "Z", ".123Z", "+02:00".
  std::string_view rest(end);
  if (!rest.empty() && rest.front() == '.') {
    std::size_t i = 1;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
    rest.remove_prefix(i);
  }
  if (rest == "Z") return tp;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int h = std::atoi(std::string(rest.substr(1, 2)).c_str());
    int m = std::atoi(std::string(rest.substr(4, 2)).c_str());
    auto offset = std::chrono::hours(h) + std::chrono::minutes(m);
    return rest[0] == '+' ? tp - offset : tp + offset;
  }
  return std::nullopt;
}

std::string nowTime() { return formatTime(std::chrono::system_clock::now()); }

static std::mt19937_64& threadRng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

std::string newUid() {
  std::uint64_t hi = threadRng()(), lo = threadRng()();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  std::array<char, 40> buf{};
  std::snprintf(buf.data(), buf.size(), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xffff), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf.data();
}

std::string randomNameSuffix() {
  // Upstream's alphabet for generated names: no vowels, no look-alikes.
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string out;
  for (int i = 0; i < 5; ++i) out += kAlphabet[pick(threadRng())];
  return out;
}

Result<json::value> parseJson(std::string_view text) {
  // Upstream's decoder takes documents nested up to 10000 deep (Boost's default is 32).
  json::parse_options options;
  options.max_depth = 10000;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, options);
  if (ec) {
    return makeError(Reason::BadRequest,
                     "couldn't get version/kind; json parse error: " + ec.message());
  }
  return v;
}

}  // namespace kcpp::api
