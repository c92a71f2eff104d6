#include "apiserver/request/request_info.h"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

namespace kcpp::apiserver {

namespace {

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

std::string verbFor(std::string_view method) {
  if (method == "POST") return "create";
  if (method == "GET" || method == "HEAD") return "get";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return "delete";
  std::string v(method);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v;
}

bool isTrue(const QueryParams& q, const char* key) {
  auto it = q.find(key);
  return it != q.end() && (it->second == "true" || it->second == "1");
}

}  // namespace

RequestInfo parseRequestInfo(std::string_view method, std::string_view path,
                             const QueryParams& query) {
  RequestInfo info;
  info.path = std::string(path);
  info.verb = verbFor(method);
  std::vector<std::string> parts = splitPath(path);
  if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) return info;
  info.apiPrefix = parts[0];
  std::size_t i = 1;
  if (info.apiPrefix == "apis") {
    if (parts.size() < 3) return info;  // /apis, /apis/<group>: discovery
    info.apiGroup = parts[i++];
  } else if (parts.size() < 2) {
    return info;  // /api
  }
  info.apiVersion = parts[i++];
  if (i >= parts.size()) return info;  // /api/v1: discovery
  info.isResourceRequest = true;
  std::string_view httpVerb = method;
  // Legacy watch paths: /api/v1/watch/namespaces/x/pods.
  bool legacyWatch = parts[i] == "watch";
  if (legacyWatch) {
    ++i;
    info.verb = "watch";
  }
  std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
  if (rest.size() >= 2 && rest[0] == "namespaces") {
    info.namespace_ = rest[1];
    // /namespaces/<ns>/<resource>... unless the next part is a subresource of the
    // namespace object itself (upstream: status, finalize). As upstream, a request
    // for the namespace object keeps its name in namespace_ too (RBAC uses it).
    bool namespaceSubresource = rest.size() > 2 && (rest[2] == "status" || rest[2] == "finalize");
    if (rest.size() > 2 && !namespaceSubresource) rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (!rest.empty()) info.resource = rest[0];
  if (rest.size() >= 2) info.name = rest[1];
  if (rest.size() >= 3) info.subresource = rest[2];
  if (legacyWatch) return info;
  if (info.name.empty() && (httpVerb == "GET" || httpVerb == "HEAD")) {
    info.verb = isTrue(query, "watch") ? "watch" : "list";
    info.fieldSelector = queryParam(query, "fieldSelector");
    // Upstream: a list or watch pinned to one name is authorized as that name.
    std::string pinned = fieldSelectorExactMatch(info.fieldSelector, "metadata.name");
    if (!pinned.empty() && pinned != "." && pinned != ".." &&
        pinned.find_first_of("/%") == std::string::npos) {
      info.name = pinned;
    }
  } else if (info.name.empty() && httpVerb == "DELETE") {
    info.verb = "deletecollection";
  } else if (!info.name.empty() && httpVerb == "GET" && isTrue(query, "watch")) {
    info.verb = "watch";  // upstream turns a watch of one name into a field selector
  }
  return info;
}

std::string fieldSelectorExactMatch(std::string_view selector, std::string_view field) {
  std::size_t start = 0;
  while (start <= selector.size()) {
    std::size_t comma = selector.find(',', start);
    std::string_view term = selector.substr(start, comma == std::string_view::npos
                                                       ? std::string_view::npos
                                                       : comma - start);
    auto eq = term.find('=');
    if (eq != std::string_view::npos && eq > 0 && term[eq - 1] != '!') {
      std::string_view key = term.substr(0, eq);
      std::string_view value = term.substr(eq + 1);
      if (!value.empty() && value[0] == '=') value.remove_prefix(1);
      auto trim = [](std::string_view v) {
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
        return v;
      };
      if (trim(key) == field) return std::string(trim(value));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return {};
}

std::string queryParam(const QueryParams& query, const std::string& key) {
  auto it = query.find(key);
  return it == query.end() ? "" : it->second;
}

QueryParams parseQuery(std::string_view queryView) {
  QueryParams out;
  // Boost.URL 1.81's params_view reads past the end of a view that is not
  // NUL-terminated; a std::string is.
  std::string query(queryView);
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) return out;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;  // as Go's url.ParseQuery
  // Validated above, so this constructor does not throw.
  for (auto param : boost::urls::params_view(query, opts)) {
    out.emplace(std::string(param.key), param.has_value ? std::string(param.value) : "");
  }
  return out;
}

}  // namespace kcpp::apiserver
