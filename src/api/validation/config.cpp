#include "api/validation/config.h"

#include <algorithm>
#include <cctype>

namespace kcpp::api::validation {
namespace {

constexpr std::int64_t kMaxSize = 1024 * 1024;  // core.MaxSecretSize
constexpr std::string_view kImmutableWhenSet = "field is immutable when `immutable` is set";

// The decoded length of a base64 ([]byte) field.
std::int64_t base64Size(std::string_view text) {
  std::int64_t n = static_cast<std::int64_t>(text.size());
  std::int64_t padding = 0;
  while (padding < 2 && !text.empty() && text[text.size() - 1 - padding] == '=') ++padding;
  return n / 4 * 3 + (n % 4 == 0 ? 0 : (n % 4) * 3 / 4) - padding;
}

std::int64_t valueSize(const json::value& v, bool base64) {
  if (!v.is_string()) return 0;
  std::string_view s = v.get_string();
  return base64 ? base64Size(s) : static_cast<std::int64_t>(s.size());
}

void keys(const json::object* map, const Path& p, Causes& out) {
  if (!map) return;
  for (const auto& kv : *map) {
    for (const auto& msg : configMapKeyErrors(kv.key())) out.push_back(invalidStr(p.key(kv.key()), kv.key(), msg));
  }
}

std::int64_t totalSize(const json::object* map, bool base64) {
  std::int64_t total = 0;
  if (!map) return total;
  for (const auto& kv : *map) total += valueSize(kv.value(), base64);
  return total;
}

void immutableContents(const json::object& obj, const json::object& old, std::initializer_list<std::string_view> fields,
                       Causes& out) {
  if (!boolAt(old, "immutable")) return;
  if (!boolAt(obj, "immutable")) out.push_back(forbidden(Path("immutable"), kImmutableWhenSet));
  for (std::string_view field : fields) {
    if (!semanticEqual(valueAt(obj, field), valueAt(old, field))) out.push_back(forbidden(Path(std::string(field)), kImmutableWhenSet));
  }
}

const json::object* annotations(const json::object& obj) {
  const json::object* meta = objectAt(obj, "metadata");
  return meta ? objectAt(*meta, "annotations") : nullptr;
}

// Go's json.Unmarshal into map[string]interface{}, reduced to its common errors.
std::optional<std::string> jsonObjectError(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (!ec) {
    if (v.is_object()) return std::nullopt;
    return "json: cannot unmarshal " + std::string(v.is_array() ? "array" : v.is_string() ? "string"
                                                             : v.is_bool() ? "bool" : "number") +
           " into Go value of type map[string]interface {}";
  }
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "unexpected end of JSON input";
  char c = text[first];
  if (c != '{' && c != '[' && c != '"' && c != '-' && !std::isdigit(static_cast<unsigned char>(c)) &&
      c != 't' && c != 'f' && c != 'n') {
    return std::string("invalid character '") + c + "' looking for beginning of value";
  }
  return "unexpected end of JSON input";
}

void dockerConfig(const json::object* data, std::string_view key, const Path& dataPath, Causes& out,
                  std::string (*decode)(std::string_view)) {
  const json::value* v = data ? valueAt(*data, key) : nullptr;
  if (!v) return out.push_back(required(dataPath.key(key)));
  if (auto err = jsonObjectError(decode(v->is_string() ? std::string_view(v->get_string()) : ""))) {
    out.push_back(invalidValue(dataPath.key(key), goQuote("<secret contents redacted>"), *err));
  }
}

std::string decodeBase64(std::string_view text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, value = 0;
  for (char c : text) {
    auto pos = alphabet.find(c);
    if (pos == std::string::npos) continue;
    value = (value << 6) | static_cast<int>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xFF);
    }
  }
  return out;
}

void secretType(const json::object& obj, const json::object* data, Causes& out) {
  std::string_view type = stringAt(obj, "type");
  Path dataPath("data");
  auto present = [&](std::string_view key) { return data && data->contains(key); };
  if (type == "kubernetes.io/service-account-token") {
    const json::object* ann = annotations(obj);
    if (!ann || stringAt(*ann, "kubernetes.io/service-account.name").empty()) {
      out.push_back(required(Path("metadata.annotations").key("kubernetes.io/service-account.name")));
    }
  } else if (type == "kubernetes.io/dockercfg") {
    dockerConfig(data, ".dockercfg", dataPath, out, decodeBase64);
  } else if (type == "kubernetes.io/dockerconfigjson") {
    dockerConfig(data, ".dockerconfigjson", dataPath, out, decodeBase64);
  } else if (type == "kubernetes.io/basic-auth") {
    if (!present("username") && !present("password")) {
      out.push_back(required(dataPath.key("username")));
      out.push_back(required(dataPath.key("password")));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    const json::value* key = data ? valueAt(*data, "ssh-privatekey") : nullptr;
    if (!key || valueSize(*key, true) == 0) out.push_back(required(dataPath.key("ssh-privatekey")));
  } else if (type == "kubernetes.io/tls") {
    if (!present("tls.crt")) out.push_back(required(dataPath.key("tls.crt")));
    if (!present("tls.key")) out.push_back(required(dataPath.key("tls.key")));
  }
}

}  // namespace

std::vector<std::string> configMapKeyErrors(std::string_view key) {
  std::vector<std::string> errs;
  if (key.size() > 253) errs.push_back("must be no more than 253 characters");
  bool ok = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
  if (!ok) {
    errs.push_back("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
                   "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                   "'[-._a-zA-Z0-9]+')");
  }
  if (key == ".") errs.push_back("must not be '.'");
  else if (key == "..") errs.push_back("must not be '..'");
  else if (key.starts_with("..")) errs.push_back("must not start with '..'");
  return errs;
}

Causes validateConfigMap(const json::object& obj, const json::object* old) {
  Causes out;
  if (old) immutableContents(obj, *old, {"data", "binaryData"}, out);
  const json::object* data = objectAt(obj, "data");
  const json::object* binary = objectAt(obj, "binaryData");
  keys(data, Path("data"), out);
  for (const auto& kv : data ? *data : json::object()) {
    if (binary && binary->contains(kv.key())) {
      out.push_back(invalidStr(Path("data").key(kv.key()), kv.key(), "duplicate of key present in binaryData"));
    }
  }
  keys(binary, Path("binaryData"), out);
  if (totalSize(data, false) + totalSize(binary, true) > kMaxSize) {
    // Upstream reports it on the empty path, which prints as "[]".
    out.push_back(tooLong(Path("[]"), kMaxSize));
  }
  return out;
}

Causes validateSecret(const json::object& obj, const json::object* old) {
  Causes out;
  if (old) {
    std::string_view type = stringAt(obj, "type"), oldType = stringAt(*old, "type");
    if (type != oldType) out.push_back(invalidStr(Path("type"), type, kImmutableMsg));
    immutableContents(obj, *old, {"data"}, out);
  }
  const json::object* data = objectAt(obj, "data");
  keys(data, Path("data"), out);
  if (totalSize(data, true) > kMaxSize) out.push_back(tooLong(Path("data"), kMaxSize));
  secretType(obj, data, out);
  return out;
}

}  // namespace kcpp::api::validation
