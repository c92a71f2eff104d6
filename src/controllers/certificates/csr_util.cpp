#include "controllers/certificates/csr_util.h"

#include "api/meta/object.h"
#include "pki/base64.h"

namespace kcpp::controllers::csr {

namespace json = boost::json;

bool hasCondition(const json::object& csr, std::string_view type) {
  const json::value* conditions = api::findPath(csr, "status.conditions");
  if (!conditions || !conditions->is_array()) return false;
  for (const json::value& c : conditions->get_array()) {
    if (!c.is_object() || api::getString(c.get_object(), "type") != type) continue;
    std::string_view status = api::getString(c.get_object(), "status");
    if (status.empty() || status == "True") return true;
  }
  return false;
}

std::set<std::string> usagesOf(const json::object& csr) {
  std::set<std::string> out;
  const json::value* usages = api::findPath(csr, "spec.usages");
  if (!usages || !usages->is_array()) return out;
  for (const json::value& u : usages->get_array()) {
    if (u.is_string()) out.emplace(u.get_string());
  }
  return out;
}

Result<pki::CsrInfo> parseRequest(const json::object& csr) {
  const json::value* request = api::findPath(csr, "spec.request");
  if (!request || !request->is_string()) return makeError(Reason::Invalid, "no spec.request");
  auto pem = pki::base64Decode(request->get_string());
  if (!pem) return std::move(pem).error();
  return pki::parseCsrPem(*pem);
}

bool isNodeClientCert(const pki::CsrInfo& request, const std::set<std::string>& usages) {
  if (request.organizations != std::vector<std::string>{"system:nodes"}) return false;
  if (!request.altNames.dnsNames.empty() || !request.altNames.ipAddresses.empty()) return false;
  if (!request.commonName.starts_with("system:node:") || request.commonName.size() == 12) return false;
  const std::set<std::string> allowed = {"client auth", "digital signature", "key encipherment"};
  for (const std::string& u : usages) {
    if (!allowed.count(u)) return false;
  }
  return usages.count("client auth") && usages.count("digital signature");
}

}  // namespace kcpp::controllers::csr
