// Protobuf descriptors of batch/v1: jobs and cron jobs.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addBatchV1(DescriptorTable& table) {
  auto g = table.group("batch/v1", "batch/v1");
  g.object("CronJob", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("CronJobSpec")},
      {3, "status", msg("CronJobStatus")},
  });
  g.object("Job", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("JobSpec")},
      {3, "status", msg("JobStatus")},
  });
  g.message("CronJobSpec", {
      {1, "schedule", str().always()},
      {8, "timeZone", str().pointer()},
      {2, "startingDeadlineSeconds", i64().pointer()},
      {3, "concurrencyPolicy", str()},
      {4, "suspend", boolean().pointer()},
      {5, "jobTemplate", msg("JobTemplateSpec")},
      {6, "successfulJobsHistoryLimit", i32().pointer()},
      {7, "failedJobsHistoryLimit", i32().pointer()},
  });
  g.message("CronJobStatus", {
      {1, "active", listOf(msg("core/v1.ObjectReference"))},
      {4, "lastScheduleTime", metaTime().pointer()},
      {5, "lastSuccessfulTime", metaTime().pointer()},
  });
  g.message("JobCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {3, "lastProbeTime", metaTime()},
      {4, "lastTransitionTime", metaTime()},
      {5, "reason", str()},
      {6, "message", str()},
  });
  g.message("JobSpec", {
      {1, "parallelism", i32().pointer()},
      {2, "completions", i32().pointer()},
      {3, "activeDeadlineSeconds", i64().pointer()},
      {11, "podFailurePolicy", msg("PodFailurePolicy").pointer()},
      {16, "successPolicy", msg("SuccessPolicy").pointer()},
      {7, "backoffLimit", i32().pointer()},
      {12, "backoffLimitPerIndex", i32().pointer()},
      {13, "maxFailedIndexes", i32().pointer()},
      {4, "selector", msg("meta/v1.LabelSelector").pointer()},
      {5, "manualSelector", boolean().pointer()},
      {6, "template", msg("core/v1.PodTemplateSpec")},
      {8, "ttlSecondsAfterFinished", i32().pointer()},
      {9, "completionMode", str().pointer()},
      {10, "suspend", boolean().pointer()},
      {14, "podReplacementPolicy", str().pointer()},
      {15, "managedBy", str().pointer()},
  });
  g.message("JobStatus", {
      {1, "conditions", listOf(msg("JobCondition"))},
      {2, "startTime", metaTime().pointer()},
      {3, "completionTime", metaTime().pointer()},
      {4, "active", i32()},
      {5, "succeeded", i32()},
      {6, "failed", i32()},
      {11, "terminating", i32().pointer()},
      {7, "completedIndexes", str()},
      {10, "failedIndexes", str().pointer()},
      {8, "uncountedTerminatedPods", msg("UncountedTerminatedPods").pointer()},
      {9, "ready", i32().pointer()},
  });
  g.message("JobTemplateSpec", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("JobSpec")},
  });
  g.message("PodFailurePolicy", {
      {1, "rules", listOf(msg("PodFailurePolicyRule")).always()},
  });
  g.message("PodFailurePolicyOnExitCodesRequirement", {
      {1, "containerName", str().pointer()},
      {2, "operator", str().always()},
      {3, "values", listOf(i32()).always()},
  });
  g.message("PodFailurePolicyOnPodConditionsPattern", {
      {1, "type", str().always()},
      {2, "status", str().always()},
  });
  g.message("PodFailurePolicyRule", {
      {1, "action", str().always()},
      {2, "onExitCodes", msg("PodFailurePolicyOnExitCodesRequirement").pointer()},
      {3, "onPodConditions", listOf(msg("PodFailurePolicyOnPodConditionsPattern"))},
  });
  g.message("SuccessPolicy", {
      {1, "rules", listOf(msg("SuccessPolicyRule")).always()},
  });
  g.message("SuccessPolicyRule", {
      {1, "succeededIndexes", str().pointer()},
      {2, "succeededCount", i32().pointer()},
  });
  g.message("UncountedTerminatedPods", {
      {1, "succeeded", listOf(str())},
      {2, "failed", listOf(str())},
  });
}

}  // namespace kcpp::protobuf
