#pragma once
// RequestInfo: the Kubernetes meaning of an HTTP request, derived from its method,
// path and query exactly as upstream's RequestInfoFactory does. Authorization and
// routing both work from it.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kcpp::apiserver {

// Query parameters; a repeated parameter keeps its first value (as Go's Get).
using QueryParams = std::map<std::string, std::string>;

struct RequestInfo {
  bool isResourceRequest = false;
  std::string path;
  // Kubernetes verb: get list watch create update patch delete deletecollection;
  // for non-resource requests the lower-case HTTP method.
  std::string verb;
  std::string apiPrefix;  // "api" or "apis"
  std::string apiGroup;
  std::string apiVersion;
  std::string namespace_;
  std::string resource;
  std::string subresource;
  std::string name;
  // The fieldSelector of a list or watch (the Node authorizer limits a node's
  // pod lists to spec.nodeName=<itself>, as upstream's AuthorizeNodeWithSelectors).
  std::string fieldSelector;
};

// The value `field` must equal under a field selector ("a=b,c==d"), as
// upstream's RequiresExactMatch; empty when the selector does not pin it.
std::string fieldSelectorExactMatch(std::string_view selector, std::string_view field);

RequestInfo parseRequestInfo(std::string_view method, std::string_view path,
                             const QueryParams& query);

// The value of a query parameter, empty when absent.
std::string queryParam(const QueryParams& query, const std::string& key);

// Splits "a=b&c=%20d" into decoded parameters.
QueryParams parseQuery(std::string_view query);

}  // namespace kcpp::apiserver
