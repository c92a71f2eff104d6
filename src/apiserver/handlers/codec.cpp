#include "apiserver/handlers/codec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "api/meta/object.h"
#include "api/meta/status.h"
#include "api/patch/go_json.h"
#include "api/protobuf/kubernetes_protobuf.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// YAML 1.1 plain-scalar typing, as go-yaml (and so kubectl and the apiserver) does.
json::value plainScalar(const std::string& s) {
  static const char* kTrue[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                "on", "On", "ON"};
  static const char* kFalse[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                 "off", "Off", "OFF"};
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  for (const char* t : kTrue) if (s == t) return true;
  for (const char* f : kFalse) if (s == f) return false;
  char* end = nullptr;
  errno = 0;
  long long i = std::strtoll(s.c_str(), &end, 10);
  if (end && *end == '\0' && errno == 0 && !(s.size() > 1 && s[0] == '0')) return i;
  bool looksNumeric = std::isdigit(static_cast<unsigned char>(s[0])) ||
                      ((s[0] == '-' || s[0] == '+' || s[0] == '.') && s.size() > 1);
  if (looksNumeric) {
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0' && std::isfinite(d)) return d;
  }
  return json::string(s);
}

// `budget`: how many more nodes may be converted. Without aliases a document
// has fewer nodes than bytes, so running out means aliases expand it (a
// "billion laughs" document); upstream's YAML reader refuses those too.
Result<json::value> convert(const YAML::Node& node, std::size_t& budget) {
  if (budget == 0) {
    return makeError(Reason::BadRequest,
                     "error converting YAML to JSON: yaml: document contains excessive aliasing");
  }
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json::value(nullptr);
    case YAML::NodeType::Scalar:
      // Tag "!" marks a quoted (non-plain) scalar: always a string.
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
        return json::value(json::string(node.Scalar()));
      }
      return plainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json::array arr;
      for (const auto& item : node) {
        auto v = convert(item, budget);
        if (!v) return v;
        arr.push_back(std::move(*v));
      }
      return json::value(std::move(arr));
    }
    case YAML::NodeType::Map: {
      json::object obj;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return makeError(Reason::BadRequest, "yaml: only string keys are supported");
        }
        auto v = convert(kv.second, budget);
        if (!v) return v;
        obj[kv.first.Scalar()] = std::move(*v);
      }
      return json::value(std::move(obj));
    }
  }
  return json::value(nullptr);
}

void emit(YAML::Emitter& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      out << YAML::BeginMap;
      for (const auto& kv : v.get_object()) {
        out << YAML::Key << std::string(kv.key()) << YAML::Value;
        emit(out, kv.value());
      }
      out << YAML::EndMap;
      break;
    case json::kind::array:
      out << YAML::BeginSeq;
      for (const auto& item : v.get_array()) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::kind::string: {
      std::string s(v.get_string());
      // Quote strings YAML would read as something else.
      bool ambiguous = !plainScalar(s).is_string() || s.empty();
      if (ambiguous) out << YAML::DoubleQuoted << s;
      else out << s;
      break;
    }
    case json::kind::null: out << YAML::Null; break;
    default: out << json::serialize(v); break;
  }
}

// Length of the valid UTF-8 sequence starting at s[i]; 0 if there is none.
std::size_t utf8Length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  }
  bool overlong = (n == 2 && c < 0xC2) || (n == 3 && c == 0xE0 && at(i + 1) < 0xA0) ||
                  (n == 4 && c == 0xF0 && at(i + 1) < 0x90);
  bool outOfRange = (n == 3 && c == 0xED && at(i + 1) >= 0xA0) ||  // surrogates
                    (n == 4 && (c > 0xF4 || (c == 0xF4 && at(i + 1) >= 0x90)));
  return overlong || outOfRange ? 0 : n;
}

// Every byte that is not part of valid UTF-8 becomes U+FFFD, as Go's JSON
// decoder reads strings.
std::string replaceInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8Length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// A JSON body as upstream's decoder reads it. The fast parser takes almost every
// body; what it refuses is read again as Go does: nesting up to 10000 deep,
// invalid UTF-8 in strings replaced, and Go's syntax error messages.
Result<json::value> decodeJson(std::string_view body) {
  if (auto fast = api::parseJson(body)) return fast;
  auto v = patch::parseJsonLikeGo(replaceInvalidUtf8(body));
  if (!v) return api::badRequest("couldn't get version/kind; json parse error: " + v.error().message);
  return v;
}

}  // namespace

std::string mediaType(std::string_view contentType) {
  return lower(trim(contentType.substr(0, contentType.find(';'))));
}

Result<json::value> yamlToJson(std::string_view yaml) {
  try {
    YAML::Node node = YAML::Load(std::string(yaml));
    std::size_t budget = 2 * yaml.size() + 10000;
    return convert(node, budget);
  } catch (const YAML::Exception& e) {
    return makeError(Reason::BadRequest, std::string("error converting YAML to JSON: ") + e.what());
  }
}

std::string jsonToYaml(const json::value& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

Result<json::value> decodeBody(std::string_view contentType, std::string_view body) {
  std::string type = mediaType(contentType);
  if (type.empty() || type == "application/json" || type == "*/*") return decodeJson(body);
  if (type == "application/yaml" || type == "application/x-yaml" || type == "text/yaml") {
    return yamlToJson(body);
  }
  if (type == protobuf::kProtobufMediaType) {
    return protobuf::decodeKubernetesProtobuf(body);
  }
  return makeError(Reason::UnsupportedMediaType,
                   "the body of the request was in an unknown format - accepted media types "
                   "include: application/json, application/yaml, "
                   "application/vnd.kubernetes.protobuf");
}

Negotiated negotiate(std::string_view accept) {
  Negotiated out;
  if (trim(accept).empty()) return out;
  bool acceptable = false;
  std::stringstream ss{std::string(accept)};
  std::string item;
  // The first acceptable entry wins, as upstream's negotiation with kubectl's lists.
  while (std::getline(ss, item, ',')) {
    std::string type = mediaType(item);
    std::string params = lower(item);
    bool json = type == "application/json" || type == "*/*" || type == "application/*";
    if (json && params.find("as=table") != std::string::npos) {
      return {ResponseForm::Table, true};
    }
    if (json && params.find("as=partialobjectmetadata") != std::string::npos) {
      return {ResponseForm::PartialMetadata, true};
    }
    if (json && params.find("as=") == std::string::npos) return {ResponseForm::Object, true};
    if (type == "application/yaml") return {ResponseForm::Yaml, true};
    acceptable = acceptable || false;
  }
  out.acceptable = acceptable;
  return out;
}

}  // namespace kcpp::apiserver
