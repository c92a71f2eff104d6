// Protobuf descriptors of core/v1: containers and their parts (ports, env, resources,
// probes, lifecycle, security context, status).
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addCoreV1Container(DescriptorTable& table) {
  auto g = table.group("core/v1", "v1");
  g.message("AppArmorProfile", {
      {1, "type", str().always()},
      {2, "localhostProfile", str().pointer()},
  });
  g.message("Capabilities", {
      {1, "add", listOf(str())},
      {2, "drop", listOf(str())},
  });
  g.message("ConfigMapEnvSource", {
      {1, "", msg("LocalObjectReference").inlined()},
      {2, "optional", boolean().pointer()},
  });
  g.message("ConfigMapKeySelector", {
      {1, "", msg("LocalObjectReference").inlined()},
      {2, "key", str().always()},
      {3, "optional", boolean().pointer()},
  });
  g.message("Container", {
      {1, "name", str().always()},
      {2, "image", str()},
      {3, "command", listOf(str())},
      {4, "args", listOf(str())},
      {5, "workingDir", str()},
      {6, "ports", listOf(msg("ContainerPort"))},
      {19, "envFrom", listOf(msg("EnvFromSource"))},
      {7, "env", listOf(msg("EnvVar"))},
      {8, "resources", msg("ResourceRequirements")},
      {23, "resizePolicy", listOf(msg("ContainerResizePolicy"))},
      {24, "restartPolicy", str().pointer()},
      {9, "volumeMounts", listOf(msg("VolumeMount"))},
      {21, "volumeDevices", listOf(msg("VolumeDevice"))},
      {10, "livenessProbe", msg("Probe").pointer()},
      {11, "readinessProbe", msg("Probe").pointer()},
      {22, "startupProbe", msg("Probe").pointer()},
      {12, "lifecycle", msg("Lifecycle").pointer()},
      {13, "terminationMessagePath", str()},
      {20, "terminationMessagePolicy", str()},
      {14, "imagePullPolicy", str()},
      {15, "securityContext", msg("SecurityContext").pointer()},
      {16, "stdin", boolean()},
      {17, "stdinOnce", boolean()},
      {18, "tty", boolean()},
  });
  g.message("ContainerPort", {
      {1, "name", str()},
      {2, "hostPort", i32()},
      {3, "containerPort", i32().always()},
      {4, "protocol", str()},
      {5, "hostIP", str()},
  });
  g.message("ContainerResizePolicy", {
      {1, "resourceName", str().always()},
      {2, "restartPolicy", str().always()},
  });
  g.message("ContainerState", {
      {1, "waiting", msg("ContainerStateWaiting").pointer()},
      {2, "running", msg("ContainerStateRunning").pointer()},
      {3, "terminated", msg("ContainerStateTerminated").pointer()},
  });
  g.message("ContainerStateRunning", {
      {1, "startedAt", metaTime()},
  });
  g.message("ContainerStateTerminated", {
      {1, "exitCode", i32().always()},
      {2, "signal", i32()},
      {3, "reason", str()},
      {4, "message", str()},
      {5, "startedAt", metaTime()},
      {6, "finishedAt", metaTime()},
      {7, "containerID", str()},
  });
  g.message("ContainerStateWaiting", {
      {1, "reason", str()},
      {2, "message", str()},
  });
  g.message("ContainerStatus", {
      {1, "name", str().always()},
      {2, "state", msg("ContainerState")},
      {3, "lastState", msg("ContainerState")},
      {4, "ready", boolean().always()},
      {5, "restartCount", i32().always()},
      {6, "image", str().always()},
      {7, "imageID", str().always()},
      {8, "containerID", str()},
      {9, "started", boolean().pointer()},
      {10, "allocatedResources", mapOf(quantity())},
      {11, "resources", msg("ResourceRequirements").pointer()},
      {12, "volumeMounts", listOf(msg("VolumeMountStatus"))},
      {13, "user", msg("ContainerUser").pointer()},
      {14, "allocatedResourcesStatus", listOf(msg("ResourceStatus"))},
      {15, "stopSignal", str().pointer()},
  });
  g.message("ContainerUser", {
      {1, "linux", msg("LinuxContainerUser").pointer()},
  });
  g.message("EnvFromSource", {
      {1, "prefix", str()},
      {2, "configMapRef", msg("ConfigMapEnvSource").pointer()},
      {3, "secretRef", msg("SecretEnvSource").pointer()},
  });
  g.message("EnvVar", {
      {1, "name", str().always()},
      {2, "value", str()},
      {3, "valueFrom", msg("EnvVarSource").pointer()},
  });
  g.message("EnvVarSource", {
      {1, "fieldRef", msg("ObjectFieldSelector").pointer()},
      {2, "resourceFieldRef", msg("ResourceFieldSelector").pointer()},
      {3, "configMapKeyRef", msg("ConfigMapKeySelector").pointer()},
      {4, "secretKeyRef", msg("SecretKeySelector").pointer()},
  });
  g.message("EphemeralContainer", {
      {1, "", msg("EphemeralContainerCommon").inlined()},
      {2, "targetContainerName", str()},
  });
  g.message("EphemeralContainerCommon", {
      {1, "name", str().always()},
      {2, "image", str()},
      {3, "command", listOf(str())},
      {4, "args", listOf(str())},
      {5, "workingDir", str()},
      {6, "ports", listOf(msg("ContainerPort"))},
      {19, "envFrom", listOf(msg("EnvFromSource"))},
      {7, "env", listOf(msg("EnvVar"))},
      {8, "resources", msg("ResourceRequirements")},
      {23, "resizePolicy", listOf(msg("ContainerResizePolicy"))},
      {24, "restartPolicy", str().pointer()},
      {9, "volumeMounts", listOf(msg("VolumeMount"))},
      {21, "volumeDevices", listOf(msg("VolumeDevice"))},
      {10, "livenessProbe", msg("Probe").pointer()},
      {11, "readinessProbe", msg("Probe").pointer()},
      {22, "startupProbe", msg("Probe").pointer()},
      {12, "lifecycle", msg("Lifecycle").pointer()},
      {13, "terminationMessagePath", str()},
      {20, "terminationMessagePolicy", str()},
      {14, "imagePullPolicy", str()},
      {15, "securityContext", msg("SecurityContext").pointer()},
      {16, "stdin", boolean()},
      {17, "stdinOnce", boolean()},
      {18, "tty", boolean()},
  });
  g.message("ExecAction", {
      {1, "command", listOf(str())},
  });
  g.message("GRPCAction", {
      {1, "port", i32().always()},
      {2, "service", str().pointer().always()},
  });
  g.message("HTTPGetAction", {
      {1, "path", str()},
      {2, "port", intOrString()},
      {3, "host", str()},
      {4, "scheme", str()},
      {5, "httpHeaders", listOf(msg("HTTPHeader"))},
  });
  g.message("HTTPHeader", {
      {1, "name", str().always()},
      {2, "value", str().always()},
  });
  g.message("Lifecycle", {
      {1, "postStart", msg("LifecycleHandler").pointer()},
      {2, "preStop", msg("LifecycleHandler").pointer()},
      {3, "stopSignal", str().pointer()},
  });
  g.message("LifecycleHandler", {
      {1, "exec", msg("ExecAction").pointer()},
      {2, "httpGet", msg("HTTPGetAction").pointer()},
      {3, "tcpSocket", msg("TCPSocketAction").pointer()},
      {4, "sleep", msg("SleepAction").pointer()},
  });
  g.message("LinuxContainerUser", {
      {1, "uid", i64().always()},
      {2, "gid", i64().always()},
      {3, "supplementalGroups", listOf(i64())},
  });
  g.message("ObjectFieldSelector", {
      {1, "apiVersion", str()},
      {2, "fieldPath", str().always()},
  });
  g.message("Probe", {
      {1, "", msg("ProbeHandler").inlined()},
      {2, "initialDelaySeconds", i32()},
      {3, "timeoutSeconds", i32()},
      {4, "periodSeconds", i32()},
      {5, "successThreshold", i32()},
      {6, "failureThreshold", i32()},
      {7, "terminationGracePeriodSeconds", i64().pointer()},
  });
  g.message("ProbeHandler", {
      {1, "exec", msg("ExecAction").pointer()},
      {2, "httpGet", msg("HTTPGetAction").pointer()},
      {3, "tcpSocket", msg("TCPSocketAction").pointer()},
      {4, "grpc", msg("GRPCAction").pointer()},
  });
  g.message("ResourceClaim", {
      {1, "name", str().always()},
      {2, "request", str()},
  });
  g.message("ResourceFieldSelector", {
      {1, "containerName", str()},
      {2, "resource", str().always()},
      {3, "divisor", quantity()},
  });
  g.message("ResourceHealth", {
      {1, "resourceID", str().always()},
      {2, "health", str()},
  });
  g.message("ResourceRequirements", {
      {1, "limits", mapOf(quantity())},
      {2, "requests", mapOf(quantity())},
      {3, "claims", listOf(msg("ResourceClaim"))},
  });
  g.message("ResourceStatus", {
      {1, "name", str().always()},
      {2, "resources", listOf(msg("ResourceHealth"))},
  });
  g.message("SELinuxOptions", {
      {1, "user", str()},
      {2, "role", str()},
      {3, "type", str()},
      {4, "level", str()},
  });
  g.message("SeccompProfile", {
      {1, "type", str().always()},
      {2, "localhostProfile", str().pointer()},
  });
  g.message("SecretEnvSource", {
      {1, "", msg("LocalObjectReference").inlined()},
      {2, "optional", boolean().pointer()},
  });
  g.message("SecretKeySelector", {
      {1, "", msg("LocalObjectReference").inlined()},
      {2, "key", str().always()},
      {3, "optional", boolean().pointer()},
  });
  g.message("SecurityContext", {
      {1, "capabilities", msg("Capabilities").pointer()},
      {2, "privileged", boolean().pointer()},
      {3, "seLinuxOptions", msg("SELinuxOptions").pointer()},
      {10, "windowsOptions", msg("WindowsSecurityContextOptions").pointer()},
      {4, "runAsUser", i64().pointer()},
      {8, "runAsGroup", i64().pointer()},
      {5, "runAsNonRoot", boolean().pointer()},
      {6, "readOnlyRootFilesystem", boolean().pointer()},
      {7, "allowPrivilegeEscalation", boolean().pointer()},
      {9, "procMount", str().pointer()},
      {11, "seccompProfile", msg("SeccompProfile").pointer()},
      {12, "appArmorProfile", msg("AppArmorProfile").pointer()},
  });
  g.message("SleepAction", {
      {1, "seconds", i64().always()},
  });
  g.message("TCPSocketAction", {
      {1, "port", intOrString()},
      {2, "host", str()},
  });
  g.message("VolumeDevice", {
      {1, "name", str().always()},
      {2, "devicePath", str().always()},
  });
  g.message("VolumeMount", {
      {1, "name", str().always()},
      {2, "readOnly", boolean()},
      {7, "recursiveReadOnly", str().pointer()},
      {3, "mountPath", str().always()},
      {4, "subPath", str()},
      {5, "mountPropagation", str().pointer()},
      {6, "subPathExpr", str()},
  });
  g.message("VolumeMountStatus", {
      {1, "name", str().always()},
      {2, "mountPath", str().always()},
      {3, "readOnly", boolean()},
      {4, "recursiveReadOnly", str().pointer()},
  });
  g.message("WindowsSecurityContextOptions", {
      {1, "gmsaCredentialSpecName", str().pointer()},
      {2, "gmsaCredentialSpec", str().pointer()},
      {3, "runAsUserName", str().pointer()},
      {4, "hostProcess", boolean().pointer()},
  });
}

}  // namespace kcpp::protobuf
