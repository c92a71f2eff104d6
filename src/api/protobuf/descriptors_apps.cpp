// Protobuf descriptors of apps/v1: deployments, replica sets, stateful sets, daemon
// sets, controller revisions.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addAppsV1(DescriptorTable& table) {
  auto g = table.group("apps/v1", "apps/v1");
  g.object("ControllerRevision", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "data", rawJson()},
      {3, "revision", i64().always()},
  });
  g.object("DaemonSet", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("DaemonSetSpec")},
      {3, "status", msg("DaemonSetStatus")},
  });
  g.object("Deployment", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("DeploymentSpec")},
      {3, "status", msg("DeploymentStatus")},
  });
  g.object("ReplicaSet", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("ReplicaSetSpec")},
      {3, "status", msg("ReplicaSetStatus")},
  });
  g.object("StatefulSet", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("StatefulSetSpec")},
      {3, "status", msg("StatefulSetStatus")},
  });
  g.message("DaemonSetCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {3, "lastTransitionTime", metaTime()},
      {4, "reason", str()},
      {5, "message", str()},
  });
  g.message("DaemonSetSpec", {
      {1, "selector", msg("meta/v1.LabelSelector").pointer().always()},
      {2, "template", msg("core/v1.PodTemplateSpec")},
      {3, "updateStrategy", msg("DaemonSetUpdateStrategy")},
      {4, "minReadySeconds", i32()},
      {6, "revisionHistoryLimit", i32().pointer()},
  });
  g.message("DaemonSetStatus", {
      {1, "currentNumberScheduled", i32().always()},
      {2, "numberMisscheduled", i32().always()},
      {3, "desiredNumberScheduled", i32().always()},
      {4, "numberReady", i32().always()},
      {5, "observedGeneration", i64()},
      {6, "updatedNumberScheduled", i32()},
      {7, "numberAvailable", i32()},
      {8, "numberUnavailable", i32()},
      {9, "collisionCount", i32().pointer()},
      {10, "conditions", listOf(msg("DaemonSetCondition"))},
  });
  g.message("DaemonSetUpdateStrategy", {
      {1, "type", str()},
      {2, "rollingUpdate", msg("RollingUpdateDaemonSet").pointer()},
  });
  g.message("DeploymentCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {6, "lastUpdateTime", metaTime()},
      {7, "lastTransitionTime", metaTime()},
      {4, "reason", str()},
      {5, "message", str()},
  });
  g.message("DeploymentSpec", {
      {1, "replicas", i32().pointer()},
      {2, "selector", msg("meta/v1.LabelSelector").pointer().always()},
      {3, "template", msg("core/v1.PodTemplateSpec")},
      {4, "strategy", msg("DeploymentStrategy")},
      {5, "minReadySeconds", i32()},
      {6, "revisionHistoryLimit", i32().pointer()},
      {7, "paused", boolean()},
      {9, "progressDeadlineSeconds", i32().pointer()},
  });
  g.message("DeploymentStatus", {
      {1, "observedGeneration", i64()},
      {2, "replicas", i32()},
      {3, "updatedReplicas", i32()},
      {7, "readyReplicas", i32()},
      {4, "availableReplicas", i32()},
      {5, "unavailableReplicas", i32()},
      {9, "terminatingReplicas", i32().pointer()},
      {6, "conditions", listOf(msg("DeploymentCondition"))},
      {8, "collisionCount", i32().pointer()},
  });
  g.message("DeploymentStrategy", {
      {1, "type", str()},
      {2, "rollingUpdate", msg("RollingUpdateDeployment").pointer()},
  });
  g.message("ReplicaSetCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {3, "lastTransitionTime", metaTime()},
      {4, "reason", str()},
      {5, "message", str()},
  });
  g.message("ReplicaSetSpec", {
      {1, "replicas", i32().pointer()},
      {4, "minReadySeconds", i32()},
      {2, "selector", msg("meta/v1.LabelSelector").pointer().always()},
      {3, "template", msg("core/v1.PodTemplateSpec")},
  });
  g.message("ReplicaSetStatus", {
      {1, "replicas", i32().always()},
      {2, "fullyLabeledReplicas", i32()},
      {4, "readyReplicas", i32()},
      {5, "availableReplicas", i32()},
      {7, "terminatingReplicas", i32().pointer()},
      {3, "observedGeneration", i64()},
      {6, "conditions", listOf(msg("ReplicaSetCondition"))},
  });
  g.message("RollingUpdateDaemonSet", {
      {1, "maxUnavailable", intOrString().pointer()},
      {2, "maxSurge", intOrString().pointer()},
  });
  g.message("RollingUpdateDeployment", {
      {1, "maxUnavailable", intOrString().pointer()},
      {2, "maxSurge", intOrString().pointer()},
  });
  g.message("RollingUpdateStatefulSetStrategy", {
      {1, "partition", i32().pointer()},
      {2, "maxUnavailable", intOrString().pointer()},
  });
  g.message("StatefulSetCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {3, "lastTransitionTime", metaTime()},
      {4, "reason", str()},
      {5, "message", str()},
  });
  g.message("StatefulSetOrdinals", {
      {1, "start", i32().always()},
  });
  g.message("StatefulSetPersistentVolumeClaimRetentionPolicy", {
      {1, "whenDeleted", str()},
      {2, "whenScaled", str()},
  });
  g.message("StatefulSetSpec", {
      {1, "replicas", i32().pointer()},
      {2, "selector", msg("meta/v1.LabelSelector").pointer().always()},
      {3, "template", msg("core/v1.PodTemplateSpec")},
      {4, "volumeClaimTemplates", listOf(msg("core/v1.PersistentVolumeClaim"))},
      {5, "serviceName", str().always()},
      {6, "podManagementPolicy", str()},
      {7, "updateStrategy", msg("StatefulSetUpdateStrategy")},
      {8, "revisionHistoryLimit", i32().pointer()},
      {9, "minReadySeconds", i32()},
      {10, "persistentVolumeClaimRetentionPolicy",
       msg("StatefulSetPersistentVolumeClaimRetentionPolicy").pointer()},
      {11, "ordinals", msg("StatefulSetOrdinals").pointer()},
  });
  g.message("StatefulSetStatus", {
      {1, "observedGeneration", i64()},
      {2, "replicas", i32().always()},
      {3, "readyReplicas", i32()},
      {4, "currentReplicas", i32()},
      {5, "updatedReplicas", i32()},
      {6, "currentRevision", str()},
      {7, "updateRevision", str()},
      {9, "collisionCount", i32().pointer()},
      {10, "conditions", listOf(msg("StatefulSetCondition"))},
      {11, "availableReplicas", i32().always()},
  });
  g.message("StatefulSetUpdateStrategy", {
      {1, "type", str()},
      {2, "rollingUpdate", msg("RollingUpdateStatefulSetStrategy").pointer()},
  });
}

}  // namespace kcpp::protobuf
