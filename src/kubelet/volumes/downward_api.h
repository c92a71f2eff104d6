#pragma once
// The downward API's values (pkg/fieldpath, pkg/api/v1/resource): pod fields and
// container resources as the text a downwardAPI file or an env var holds.

#include <boost/json.hpp>

#include <map>
#include <string>

#include "api/validation/quantity.h"
#include "util/error.h"

namespace kcpp::kubelet::volumes {

// Node allocatable ("cpu", "memory", "ephemeral-storage"): what a limit that is
// not set means (upstream's MergeContainerResourceLimits).
using ResourceList = std::map<std::string, api::validation::Quantity>;

// fieldpath.FormatMap: sorted `key="value"` lines (Go %q quoting), no final newline.
std::string formatMap(const std::map<std::string, std::string>& m);

// A fieldRef's value: metadata.name|namespace|uid|labels|annotations,
// metadata.labels['k'], metadata.annotations['k'], spec.nodeName,
// spec.serviceAccountName, status.podIP, status.hostIP.
Result<std::string> podFieldValue(const boost::json::object& pod, const std::string& fieldPath);

// A resourceFieldRef's value ({containerName, resource, divisor}); `container`
// names the container when the ref leaves containerName empty (env vars).
Result<std::string> containerResourceValue(const boost::json::object& pod,
                                           const boost::json::object& ref,
                                           const std::string& container,
                                           const ResourceList& nodeAllocatable);

}  // namespace kcpp::kubelet::volumes
