#include "apiserver/registry/certificates/csr_strategy.h"

#include <algorithm>
#include <set>

#include "api/meta/object.h"
#include "api/meta/status.h"
#include "pki/base64.h"
#include "pki/csr.h"

namespace kcpp::apiserver {

namespace {

const std::set<std::string>& knownUsages() {
  static const std::set<std::string> usages = {
      "signing", "digital signature", "content commitment", "key encipherment", "key agreement",
      "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
      "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
      "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc"};
  return usages;
}

}  // namespace

void CsrStrategy::prepareForCreateBy(json::object& obj, const UserInfo* user) const {
  json::object& spec = api::ensureObject(obj, "spec");
  spec.erase("username");
  spec.erase("uid");
  spec.erase("groups");
  spec.erase("extra");
  if (user) {
    spec["username"] = user->name;
    if (!user->uid.empty()) spec["uid"] = user->uid;
    json::array groups;
    for (const auto& g : user->groups) groups.emplace_back(g);
    spec["groups"] = std::move(groups);
  }
  obj["status"] = json::object();
}

void CsrStrategy::prepareForUpdate(json::object& obj, const json::object& old) const {
  // The spec never changes; conditions go through /approval, the certificate through /status.
  if (const json::value* spec = old.if_contains("spec")) obj["spec"] = *spec;
}

std::vector<Cause> CsrStrategy::validate(const json::object& obj) const {
  std::vector<Cause> causes;
  const json::value* request = api::findPath(obj, "spec.request");
  if (!request || !request->is_string() || request->get_string().empty()) {
    causes.push_back(api::fieldRequired("spec.request", ""));
  } else {
    auto pem = pki::base64Decode(request->get_string());
    auto parsed = pem ? pki::parseCsrPem(*pem) : Result<pki::CsrInfo>(std::move(pem).error());
    if (!parsed) causes.push_back(api::fieldInvalidValue("spec.request", "[]byte{...}", parsed.error().message));
  }
  const json::value* signer = api::findPath(obj, "spec.signerName");
  if (!signer || !signer->is_string() || signer->get_string().empty()) {
    causes.push_back(api::fieldRequired("spec.signerName", ""));
  }
  const json::value* usages = api::findPath(obj, "spec.usages");
  if (!usages || !usages->is_array() || usages->get_array().empty()) {
    causes.push_back(api::fieldRequired("spec.usages", "usages must be provided"));
  } else {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < usages->get_array().size(); ++i) {
      const json::value& u = usages->get_array()[i];
      std::string usage = u.is_string() ? std::string(u.get_string()) : "";
      std::string field = "spec.usages[" + std::to_string(i) + "]";
      if (!knownUsages().count(usage)) {
        causes.push_back(api::fieldNotSupported(field, "\"" + usage + "\"",
                                                std::vector<std::string>(knownUsages().begin(), knownUsages().end())));
      } else if (!seen.insert(usage).second) {
        causes.push_back(api::fieldDuplicate(field, "\"" + usage + "\""));
      }
    }
  }
  if (const json::value* seconds = api::findPath(obj, "spec.expirationSeconds"); seconds && seconds->is_int64() &&
                                                                                  seconds->get_int64() < 600) {
    causes.push_back(api::fieldInvalidValue("spec.expirationSeconds", std::to_string(seconds->get_int64()),
                                       "may not specify a duration less than 600 seconds (10 minutes)"));
  }
  bool approved = false, denied = false;
  if (const json::value* conditions = api::findPath(obj, "status.conditions"); conditions && conditions->is_array()) {
    for (const json::value& c : conditions->get_array()) {
      if (!c.is_object()) continue;
      std::string_view type = api::getString(c.get_object(), "type");
      approved = approved || type == "Approved";
      denied = denied || type == "Denied";
    }
  }
  if (approved && denied) {
    causes.push_back(api::fieldInvalidValue("status.conditions", "[]certificates.CertificateSigningRequestCondition{...}",
                                       "Approved and Denied conditions are mutually exclusive"));
  }
  return causes;
}

}  // namespace kcpp::apiserver
