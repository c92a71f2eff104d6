// Protobuf descriptors of autoscaling/v1 and autoscaling/v2: horizontal pod autoscalers
// and Scale.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addAutoscalingV1(DescriptorTable& table) {
  auto g = table.group("autoscaling/v1", "autoscaling/v1");
  g.object("HorizontalPodAutoscaler", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("HorizontalPodAutoscalerSpec")},
      {3, "status", msg("HorizontalPodAutoscalerStatus")},
  });
  g.object("Scale", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("ScaleSpec")},
      {3, "status", msg("ScaleStatus")},
  });
  g.message("CrossVersionObjectReference", {
      {1, "kind", str().always()},
      {2, "name", str().always()},
      {3, "apiVersion", str()},
  });
  g.message("HorizontalPodAutoscalerSpec", {
      {1, "scaleTargetRef", msg("CrossVersionObjectReference")},
      {2, "minReplicas", i32().pointer()},
      {3, "maxReplicas", i32().always()},
      {4, "targetCPUUtilizationPercentage", i32().pointer()},
  });
  g.message("HorizontalPodAutoscalerStatus", {
      {1, "observedGeneration", i64().pointer()},
      {2, "lastScaleTime", metaTime().pointer()},
      {3, "currentReplicas", i32().always()},
      {4, "desiredReplicas", i32().always()},
      {5, "currentCPUUtilizationPercentage", i32().pointer()},
  });
  g.message("ScaleSpec", {
      {1, "replicas", i32()},
  });
  g.message("ScaleStatus", {
      {1, "replicas", i32().always()},
      {2, "selector", str()},
  });
}

void addAutoscalingV2(DescriptorTable& table) {
  auto g = table.group("autoscaling/v2", "autoscaling/v2");
  g.object("HorizontalPodAutoscaler", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("HorizontalPodAutoscalerSpec")},
      {3, "status", msg("HorizontalPodAutoscalerStatus")},
  });
  g.message("ContainerResourceMetricSource", {
      {1, "name", str().always()},
      {2, "target", msg("MetricTarget")},
      {3, "container", str().always()},
  });
  g.message("ContainerResourceMetricStatus", {
      {1, "name", str().always()},
      {2, "current", msg("MetricValueStatus")},
      {3, "container", str().always()},
  });
  g.message("CrossVersionObjectReference", {
      {1, "kind", str().always()},
      {2, "name", str().always()},
      {3, "apiVersion", str()},
  });
  g.message("ExternalMetricSource", {
      {1, "metric", msg("MetricIdentifier")},
      {2, "target", msg("MetricTarget")},
  });
  g.message("ExternalMetricStatus", {
      {1, "metric", msg("MetricIdentifier")},
      {2, "current", msg("MetricValueStatus")},
  });
  g.message("HPAScalingPolicy", {
      {1, "type", str().always()},
      {2, "value", i32().always()},
      {3, "periodSeconds", i32().always()},
  });
  g.message("HPAScalingRules", {
      {3, "stabilizationWindowSeconds", i32().pointer()},
      {1, "selectPolicy", str().pointer()},
      {2, "policies", listOf(msg("HPAScalingPolicy"))},
      {4, "tolerance", quantity().pointer()},
  });
  g.message("HorizontalPodAutoscalerBehavior", {
      {1, "scaleUp", msg("HPAScalingRules").pointer()},
      {2, "scaleDown", msg("HPAScalingRules").pointer()},
  });
  g.message("HorizontalPodAutoscalerCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {3, "lastTransitionTime", metaTime()},
      {4, "reason", str()},
      {5, "message", str()},
  });
  g.message("HorizontalPodAutoscalerSpec", {
      {1, "scaleTargetRef", msg("CrossVersionObjectReference")},
      {2, "minReplicas", i32().pointer()},
      {3, "maxReplicas", i32().always()},
      {4, "metrics", listOf(msg("MetricSpec"))},
      {5, "behavior", msg("HorizontalPodAutoscalerBehavior").pointer()},
  });
  g.message("HorizontalPodAutoscalerStatus", {
      {1, "observedGeneration", i64().pointer()},
      {2, "lastScaleTime", metaTime().pointer()},
      {3, "currentReplicas", i32()},
      {4, "desiredReplicas", i32().always()},
      {5, "currentMetrics", listOf(msg("MetricStatus")).always()},
      {6, "conditions", listOf(msg("HorizontalPodAutoscalerCondition"))},
  });
  g.message("MetricIdentifier", {
      {1, "name", str().always()},
      {2, "selector", msg("meta/v1.LabelSelector").pointer()},
  });
  g.message("MetricSpec", {
      {1, "type", str().always()},
      {2, "object", msg("ObjectMetricSource").pointer()},
      {3, "pods", msg("PodsMetricSource").pointer()},
      {4, "resource", msg("ResourceMetricSource").pointer()},
      {7, "containerResource", msg("ContainerResourceMetricSource").pointer()},
      {5, "external", msg("ExternalMetricSource").pointer()},
  });
  g.message("MetricStatus", {
      {1, "type", str().always()},
      {2, "object", msg("ObjectMetricStatus").pointer()},
      {3, "pods", msg("PodsMetricStatus").pointer()},
      {4, "resource", msg("ResourceMetricStatus").pointer()},
      {7, "containerResource", msg("ContainerResourceMetricStatus").pointer()},
      {5, "external", msg("ExternalMetricStatus").pointer()},
  });
  g.message("MetricTarget", {
      {1, "type", str().always()},
      {2, "value", quantity().pointer()},
      {3, "averageValue", quantity().pointer()},
      {4, "averageUtilization", i32().pointer()},
  });
  g.message("MetricValueStatus", {
      {1, "value", quantity().pointer()},
      {2, "averageValue", quantity().pointer()},
      {3, "averageUtilization", i32().pointer()},
  });
  g.message("ObjectMetricSource", {
      {1, "describedObject", msg("CrossVersionObjectReference")},
      {2, "target", msg("MetricTarget")},
      {3, "metric", msg("MetricIdentifier")},
  });
  g.message("ObjectMetricStatus", {
      {1, "metric", msg("MetricIdentifier")},
      {2, "current", msg("MetricValueStatus")},
      {3, "describedObject", msg("CrossVersionObjectReference")},
  });
  g.message("PodsMetricSource", {
      {1, "metric", msg("MetricIdentifier")},
      {2, "target", msg("MetricTarget")},
  });
  g.message("PodsMetricStatus", {
      {1, "metric", msg("MetricIdentifier")},
      {2, "current", msg("MetricValueStatus")},
  });
  g.message("ResourceMetricSource", {
      {1, "name", str().always()},
      {2, "target", msg("MetricTarget")},
  });
  g.message("ResourceMetricStatus", {
      {1, "name", str().always()},
      {2, "current", msg("MetricValueStatus")},
  });
}

}  // namespace kcpp::protobuf
