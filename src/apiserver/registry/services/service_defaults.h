#pragma once
// What upstream does to a Service before validating it, for a single-stack IPv4
// cluster: v1 defaulting (SetDefaults_Service), keeping clusterIP and clusterIPs
// in step (NormalizeClusterIPs), keeping allocated values an update left out
// (patchAllocatedValues), wiping fields a type change makes meaningless
// (dropTypeDependentFields) and choosing ipFamilyPolicy / ipFamilies
// (initIPFamilyFields). All idempotent.

#include <boost/json.hpp>

namespace kcpp::apiserver::service {

namespace json = boost::json;

// SetDefaults_Service (pkg/apis/core/v1/defaults.go).
void applyServiceDefaults(json::object& svc);
// `old` is null on create.
void normalizeClusterIPs(json::object& svc, const json::object* old);
void patchAllocatedValues(json::object& svc, const json::object& old);
void dropTypeDependentFields(json::object& svc, const json::object& old);
// trimFieldsForDualStackDowngrade: SingleStack keeps the first IP and family.
void trimForSingleStack(json::object& svc, const json::object& old);
// initIPFamilyFields' defaulting; `old` is null on create. Invalid inputs are left
// for validation to report.
void defaultIPFamilies(json::object& svc, const json::object* old);

// Everything above, in upstream's order, for a create and for an update.
void prepareServiceCreate(json::object& svc);
void prepareServiceUpdate(json::object& svc, const json::object& old);

}  // namespace kcpp::apiserver::service
