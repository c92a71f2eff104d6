#pragma once
// Upstream's code defaulting of the other built-in kinds that need it
// (pkg/apis/core/v1, networking/v1 and rbac/v1 defaults.go). Static values
// (PersistentVolume reclaim policy, volumeMode, PriorityClass preemptionPolicy,
// StorageClass policies, RoleRef apiGroup, ...) come from the schema walk.

#include <boost/json.hpp>

namespace kcpp::api::defaults {

// status exists, so that the schema defaults its phase to Pending; a hostPath
// source gets type "".
void defaultPersistentVolume(boost::json::object& volume);
// status exists (phase Pending from the schema).
void defaultPersistentVolumeClaim(boost::json::object& claim);
// SetDefaults_NodeStatus: allocatable is the capacity when unset.
void defaultNode(boost::json::object& node);
// SetDefaults_LimitRangeItem: a Container item's default limit from max, its
// default request from the default limit, then from min.
void defaultLimitRange(boost::json::object& limitRange);
// SetDefaults_NetworkPolicy: policyTypes [Ingress], plus Egress with egress rules.
void defaultNetworkPolicy(boost::json::object& policy);
// SetDefaults_Subject: User and Group subjects are in rbac.authorization.k8s.io.
void defaultRoleBinding(boost::json::object& binding);

}  // namespace kcpp::api::defaults
