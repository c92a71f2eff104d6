#pragma once
// Upstream's code defaulting of pods and pod specs (pkg/apis/core/v1/defaults.go),
// the part a static schema default can't express. The static defaults (dnsPolicy,
// restartPolicy, schedulerName, securityContext, terminationGracePeriodSeconds,
// terminationMessagePath/Policy, probe thresholds when absent, port protocols,
// volume defaultModes, ...) come from the schema walk.

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace kcpp::api::defaults {

// SetDefaults_Container's pull policy: Always for an image whose tag is "latest"
// (or that has neither tag nor digest), else IfNotPresent (a digest only, any
// other tag, or an image that does not parse).
std::string defaultPullPolicy(std::string_view image);

// Every PodSpec, in a Pod or a pod template: SetDefaults_Container (and
// EphemeralContainer) pull policy, SetDefaults_Probe for thresholds given as 0,
// SetDefaults_Volume (a volume without a source is an emptyDir) and
// SetDefaults_HostPathVolumeSource (type "").
void defaultPodSpec(boost::json::object& spec);

// A PodTemplateSpec: defaultPodSpec on its spec, when it has one.
void defaultPodTemplateSpec(boost::json::object& podTemplateSpec);

// A Pod object (SetDefaults_Pod, which templates don't get): enableServiceLinks
// true, requests defaulted from limits, and with hostNetwork every port's hostPort
// from its containerPort; then defaultPodSpec.
void defaultPod(boost::json::object& pod);

}  // namespace kcpp::api::defaults
