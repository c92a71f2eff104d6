#pragma once
// Service validation with upstream v1.33's field paths and messages
// (ValidateService, ValidateServiceUpdate and the IP family checks of
// initIPFamilyFields), for a single-stack IPv4 cluster.
//
// One deliberate difference: upstream allocates before it validates, kcpp after
// (ServiceStrategy::allocate). So a LoadBalancer Service with
// externalTrafficPolicy Local may arrive here without its healthCheckNodePort;
// the allocator fills it in, and its absence is not an error here.

#include <boost/json.hpp>
#include <vector>

#include "util/error.h"

namespace kcpp::apiserver::service {

namespace json = boost::json;

// A Service as created or updated (after defaulting). When clusterIPs or the IP
// family fields are inconsistent, only those problems are returned, as upstream
// answers them before anything else.
std::vector<Cause> validateService(const json::object& svc);
// What an update may not change (cluster IPs, IP families, loadBalancerClass,
// healthCheckNodePort); validateService covers the rest.
std::vector<Cause> validateServiceUpdate(const json::object& svc, const json::object& old);

// Parts, exposed for tests.
std::vector<Cause> validateClusterIPsRelatedFields(const json::object& svc);
std::vector<Cause> validateIPFamilyConfig(const json::object& svc);

// "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" unless `ip` parses.
bool isValidIP(std::string_view ip);
bool isIPv6(std::string_view ip);

}  // namespace kcpp::apiserver::service
