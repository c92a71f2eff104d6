#include "apiserver/handlers/list_query.h"

#include <boost/json.hpp>

#include <charconv>

#include "api/meta/status.h"
#include "api/selectors/field_selector.h"
#include "api/selectors/label_selector.h"
#include "pki/base64.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

Result<std::int64_t> parseInt(const std::string& s, const char* what) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return api::badRequest(std::string("invalid ") + what + " \"" + s + "\"");
  }
  return v;
}

struct ContinueToken {
  storage::Revision revision = 0;
  std::string afterKey;
};

Result<ContinueToken> decodeContinue(const std::string& token) {
  auto raw = pki::base64Decode(token);
  auto bad = [](const std::string& why) {
    return api::badRequest("continue key is not valid: " + why);
  };
  if (!raw) return bad("illegal base64 data");
  boost::system::error_code ec;
  json::value v = json::parse(*raw, ec);
  if (ec || !v.is_object()) return bad("incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  const json::object& o = v.get_object();
  auto rv = o.find("rv");
  auto start = o.find("start");
  if (rv == o.end() || !rv->value().is_int64() || start == o.end() ||
      !start->value().is_string()) {
    return bad("incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  }
  return ContinueToken{rv->value().get_int64(), std::string(start->value().get_string())};
}

}  // namespace

Error listOptionsInvalid(const std::string& field, const std::string& message) {
  return api::invalid("ListOptions", "meta.k8s.io", "", {api::fieldForbidden(field, message)});
}

std::string encodeContinue(storage::Revision revision, const std::string& afterKey) {
  json::object o;
  o["v"] = "meta.k8s.io/v1";
  o["rv"] = revision;
  o["start"] = afterKey;
  return pki::base64Encode(json::serialize(o));
}

Result<storage::Predicate> selectorPredicate(const api::ResourceType& type,
                                             const QueryParams& query, const std::string& name) {
  auto labels = selectors::LabelSelector::parse(queryParam(query, "labelSelector"));
  if (!labels) return std::move(labels).error();
  std::string fieldText = queryParam(query, "fieldSelector");
  if (!name.empty()) {
    fieldText += (fieldText.empty() ? "" : ",") + std::string("metadata.name=") +
                 selectors::escapeFieldValue(name);
  }
  auto fields = selectors::FieldSelector::parse(fieldText);
  if (!fields) return std::move(fields).error();
  std::vector<std::string_view> supported = {"metadata.name", "metadata.namespace"};
  for (const auto& f : type.selectableFields) supported.push_back(f.first);
  if (auto ok = selectors::requireSupportedFields(*fields, supported); !ok) {
    return std::move(ok).error();
  }
  if (labels->empty() && fields->empty()) return storage::Predicate{};
  return storage::Predicate{[labels = std::move(*labels), fields = std::move(*fields)](
                                const storage::Attributes& attrs) {
    return labels.matches(attrs.labels) && fields.matches(attrs.fields);
  }};
}

Result<storage::ListOptions> parseListOptions(const api::ResourceType& type,
                                              const QueryParams& query) {
  storage::ListOptions options;
  auto predicate = selectorPredicate(type, query, "");
  if (!predicate) return std::move(predicate).error();
  options.predicate = std::move(*predicate);
  std::string rv = queryParam(query, "resourceVersion");
  std::string match = queryParam(query, "resourceVersionMatch");
  std::string limit = queryParam(query, "limit");
  std::string cont = queryParam(query, "continue");
  if (!limit.empty()) {
    auto n = parseInt(limit, "limit");
    if (!n) return std::move(n).error();
    options.limit = std::max<std::int64_t>(0, *n);
  }
  if (!cont.empty()) {
    if (!rv.empty() && rv != "0") {
      return listOptionsInvalid("resourceVersion",
                                "specifying resource version is not allowed when using continue");
    }
    auto token = decodeContinue(cont);
    if (!token) return std::move(token).error();
    options.revision = token->revision;
    options.continueAfter = token->afterKey;
    options.match = storage::RevisionMatch::Exact;
    return options;
  }
  if (!match.empty() && rv.empty()) {
    return listOptionsInvalid("resourceVersionMatch",
                              "resourceVersionMatch is forbidden unless resourceVersion is provided");
  }
  if (!rv.empty()) {
    auto n = parseInt(rv, "resourceVersion");
    if (!n) {
      Error e = makeError(Reason::BadRequest, "invalid resource version: " + rv);
      return e;
    }
    options.revision = *n;
    options.match = storage::RevisionMatch::NotOlderThan;
  }
  if (match == "Exact") {
    if (options.revision == 0) {
      return listOptionsInvalid("resourceVersionMatch",
                                "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
    }
    options.match = storage::RevisionMatch::Exact;
  } else if (!match.empty() && match != "NotOlderThan") {
    return api::invalid("ListOptions", "meta.k8s.io", "",
                        {Cause{"FieldValueNotSupported",
                               "Unsupported value: \"" + match +
                                   "\": supported values: \"Exact\", \"NotOlderThan\", \"\"",
                               "resourceVersionMatch"}});
  }
  return options;
}

}  // namespace kcpp::apiserver
