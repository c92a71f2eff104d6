#pragma once
// Which pods back a Service and how (upstream's endpointslice/util and
// pkg/api/v1/pod FindPort): the rules both the Endpoints and the EndpointSlice
// controllers apply to a pod, and which Services a pod change concerns.

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/selectors/label_selector.h"
#include "client/informer/informer.h"

namespace kcpp::controllers::endpointutil {

namespace json = boost::json;

inline constexpr std::string_view kHeadlessLabel = "service.kubernetes.io/headless";
inline constexpr std::string_view kServiceNameLabel = "kubernetes.io/service-name";
// How soon a sync that found the cache older than its own last write looks again.
inline constexpr std::chrono::milliseconds kStaleCacheRetry{25};
inline constexpr std::string_view kTriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";

// The pod's Ready condition is True (podutil.IsPodReady).
bool isPodReady(const json::object& pod);
bool isPodTerminating(const json::object& pod);

// ShouldPodBeInEndpoints: not terminal (Succeeded/Failed), has an IP, and not
// terminating unless `includeTerminating`.
bool shouldPodBeInEndpoints(const json::object& pod, bool includeTerminating);

// ShouldSetHostname: the pod names a hostname and its subdomain is the Service.
bool shouldSetHostname(const json::object& pod, const json::object& service);

// FindPort: the pod's port for a Service port. A named targetPort is the
// containerPort of the same name and protocol (in containers, then sidecar
// init containers); a number is itself.
std::optional<std::int64_t> findPort(const json::object& pod, const json::object& servicePort);

// status.podIPs (status.podIP when podIPs is absent).
std::vector<std::string> podIPs(const json::object& pod);
bool isIPv6(std::string_view ip);
// The first of the pod's IPs of the family ("IPv4"/"IPv6"), or empty.
std::string podIPOfFamily(const json::object& pod, std::string_view family);

// spec.selector as a label set; nullopt when the Service has none (then its
// endpoints are managed by someone else).
std::optional<selectors::Labels> serviceSelector(const json::object& service);
// clusterIP set and not "None" (helper.IsServiceIPSet).
bool isServiceIPSet(const json::object& service);

// Every key=value of `selector` is among the object's labels (read in place:
// no label map is built, this runs for every pod at every sync).
bool selectorPicks(const selectors::Labels& selector, const json::object& obj);

// Keys ("ns/name") of the Services in `services` whose selector picks `pod`.
std::set<std::string> podServiceMemberships(const client::Informer& services, const json::object& pod);

// GetServicesToUpdateOnPodChange: the Services to resync after a pod update
// (none when nothing endpoints depend on changed).
std::set<std::string> servicesToUpdateOnPodChange(const client::Informer& services,
                                                  const json::object& oldPod, const json::object& newPod);

std::string stringAt(const json::object& obj, std::string_view dottedPath);
// metadata.labels[key] (label keys hold dots, so not through a dotted path).
std::string labelOf(const json::object& obj, std::string_view key);

}  // namespace kcpp::controllers::endpointutil
