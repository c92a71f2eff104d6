#pragma once
// Upstream's code defaulting of the workload kinds (pkg/apis/apps/v1, batch/v1
// and core/v1 defaults.go): what depends on other fields, plus the pod template
// rules of pod_defaults.h for every template. The static values (replicas 1,
// revisionHistoryLimit 10, maxSurge/maxUnavailable 25%, CronJob's history limits,
// ...) come from the schema walk, which runs after these.

#include <boost/json.hpp>

namespace kcpp::api::defaults {

// strategy.rollingUpdate exists when the strategy type is unset or RollingUpdate.
void defaultDeployment(boost::json::object& deployment);
void defaultReplicaSet(boost::json::object& replicaSet);
// updateStrategy.rollingUpdate exists when the type is unset or RollingUpdate.
void defaultDaemonSet(boost::json::object& daemonSet);
// updateStrategy.rollingUpdate exists when the type is unset; each
// volumeClaimTemplate has a status (whose phase the schema sets to Pending).
void defaultStatefulSet(boost::json::object& statefulSet);
// SetDefaults_Job (Jobs only, never a CronJob's jobTemplate): completions and
// parallelism, backoffLimit (6, or MaxInt32 with backoffLimitPerIndex), labels
// from the template's, completionMode, suspend, podReplacementPolicy, manualSelector.
void defaultJob(boost::json::object& job);
void defaultCronJob(boost::json::object& cronJob);
// Selector and labels from the template's labels when empty.
void defaultReplicationController(boost::json::object& controller);
void defaultPodTemplate(boost::json::object& podTemplate);

}  // namespace kcpp::api::defaults
