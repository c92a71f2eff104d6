#pragma once
// PodSecurity (upstream's built-in PodSecurity admission plugin, default
// configuration: every mode privileged:latest unless labelled, no exemptions):
//  - pods are checked against their namespace's enforce level (403 on a
//    violation), audit level (an audit annotation) and warn level (a warning);
//  - pod templates of workload resources get only the audit and warn checks;
//  - namespace labels must be valid, and tightening a namespace's enforce level
//    warns about the pods already there that would violate it.

#include "apiserver/admission/admission.h"
#include "apiserver/admission/podsecurity/policy/namespace_policy.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver::admission {

class PodSecurity : public Plugin {
 public:
  PodSecurity(Registry& namespaces, Registry& pods) : namespaces_(namespaces), pods_(pods) {}
  std::string_view name() const override { return "PodSecurity"; }
  boost::asio::awaitable<Result<void>> validate(const Attributes& attrs) override;

 private:
  boost::asio::awaitable<Result<void>> validateNamespace(const Attributes& attrs);
  boost::asio::awaitable<Result<void>> validatePod(const Attributes& attrs);
  boost::asio::awaitable<Result<void>> validatePodController(const Attributes& attrs);
  // The namespace's policy; NotFound when it does not exist.
  boost::asio::awaitable<Result<podsecurity::ParsedPolicy>> namespacePolicy(const std::string& ns);
  // The warnings about the namespace's existing pods under a new enforce level.
  boost::asio::awaitable<std::vector<std::string>> checkExistingPods(
      const std::string& ns, const podsecurity::LevelVersion& enforce);

  Registry& namespaces_;
  Registry& pods_;
};

}  // namespace kcpp::apiserver::admission
