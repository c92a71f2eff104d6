#pragma once
// The admission plugins `kcpp server` can run: a plain table in upstream's order
// with the default set enabled, adjusted by --enable-admission-plugins and
// --disable-admission-plugins as upstream's kube-apiserver.

#include <functional>
#include <string>
#include <vector>

#include "apiserver/admission/admission.h"
#include "apiserver/registry/registry.h"
#include "util/error.h"

namespace kcpp::cmd {

// What plugins are built from: the registries they read or write.
struct AdmissionDeps {
  std::function<apiserver::Registry*(const std::string& group, const std::string& resource)>
      registry;
};

struct AdmissionFlags {
  std::vector<std::string> enable;
  std::vector<std::string> disable;
};

// The enabled plugins, in order; an unknown or unsupported name is an error.
Result<std::vector<apiserver::admission::PluginPtr>> buildAdmissionPlugins(
    const AdmissionFlags& flags, const AdmissionDeps& deps);

}  // namespace kcpp::cmd
