// Protobuf descriptors of core/v1: volumes, every volume source, projections and
// persistent volume claims.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addCoreV1Volume(DescriptorTable& table) {
  auto g = table.group("core/v1", "v1");
  g.object("PersistentVolumeClaim", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("PersistentVolumeClaimSpec")},
      {3, "status", msg("PersistentVolumeClaimStatus")},
  });
  g.message("AWSElasticBlockStoreVolumeSource", {
      {1, "volumeID", str().always()},
      {2, "fsType", str()},
      {3, "partition", i32()},
      {4, "readOnly", boolean()},
  });
  g.message("AzureDiskVolumeSource", {
      {1, "diskName", str().always()},
      {2, "diskURI", str().always()},
      {3, "cachingMode", str().pointer()},
      {4, "fsType", str().pointer()},
      {5, "readOnly", boolean().pointer()},
      {6, "kind", str().pointer()},
  });
  g.message("AzureFileVolumeSource", {
      {1, "secretName", str().always()},
      {2, "shareName", str().always()},
      {3, "readOnly", boolean()},
  });
  g.message("CSIVolumeSource", {
      {1, "driver", str().always()},
      {2, "readOnly", boolean().pointer()},
      {3, "fsType", str().pointer()},
      {4, "volumeAttributes", mapOf(str())},
      {5, "nodePublishSecretRef", msg("LocalObjectReference").pointer()},
  });
  g.message("CephFSVolumeSource", {
      {1, "monitors", listOf(str()).always()},
      {2, "path", str()},
      {3, "user", str()},
      {4, "secretFile", str()},
      {5, "secretRef", msg("LocalObjectReference").pointer()},
      {6, "readOnly", boolean()},
  });
  g.message("CinderVolumeSource", {
      {1, "volumeID", str().always()},
      {2, "fsType", str()},
      {3, "readOnly", boolean()},
      {4, "secretRef", msg("LocalObjectReference").pointer()},
  });
  g.message("ClusterTrustBundleProjection", {
      {1, "name", str().pointer()},
      {2, "signerName", str().pointer()},
      {3, "labelSelector", msg("meta/v1.LabelSelector").pointer()},
      {5, "optional", boolean().pointer()},
      {4, "path", str().always()},
  });
  g.message("ConfigMapProjection", {
      {1, "", msg("LocalObjectReference").inlined()},
      {2, "items", listOf(msg("KeyToPath"))},
      {4, "optional", boolean().pointer()},
  });
  g.message("ConfigMapVolumeSource", {
      {1, "", msg("LocalObjectReference").inlined()},
      {2, "items", listOf(msg("KeyToPath"))},
      {3, "defaultMode", i32().pointer()},
      {4, "optional", boolean().pointer()},
  });
  g.message("DownwardAPIProjection", {
      {1, "items", listOf(msg("DownwardAPIVolumeFile"))},
  });
  g.message("DownwardAPIVolumeFile", {
      {1, "path", str().always()},
      {2, "fieldRef", msg("ObjectFieldSelector").pointer()},
      {3, "resourceFieldRef", msg("ResourceFieldSelector").pointer()},
      {4, "mode", i32().pointer()},
  });
  g.message("DownwardAPIVolumeSource", {
      {1, "items", listOf(msg("DownwardAPIVolumeFile"))},
      {2, "defaultMode", i32().pointer()},
  });
  g.message("EmptyDirVolumeSource", {
      {1, "medium", str()},
      {2, "sizeLimit", quantity().pointer()},
  });
  g.message("EphemeralVolumeSource", {
      {1, "volumeClaimTemplate", msg("PersistentVolumeClaimTemplate").pointer()},
  });
  g.message("FCVolumeSource", {
      {1, "targetWWNs", listOf(str())},
      {2, "lun", i32().pointer()},
      {3, "fsType", str()},
      {4, "readOnly", boolean()},
      {5, "wwids", listOf(str())},
  });
  g.message("FlexVolumeSource", {
      {1, "driver", str().always()},
      {2, "fsType", str()},
      {3, "secretRef", msg("LocalObjectReference").pointer()},
      {4, "readOnly", boolean()},
      {5, "options", mapOf(str())},
  });
  g.message("FlockerVolumeSource", {
      {1, "datasetName", str()},
      {2, "datasetUUID", str()},
  });
  g.message("GCEPersistentDiskVolumeSource", {
      {1, "pdName", str().always()},
      {2, "fsType", str()},
      {3, "partition", i32()},
      {4, "readOnly", boolean()},
  });
  g.message("GitRepoVolumeSource", {
      {1, "repository", str().always()},
      {2, "revision", str()},
      {3, "directory", str()},
  });
  g.message("GlusterfsVolumeSource", {
      {1, "endpoints", str().always()},
      {2, "path", str().always()},
      {3, "readOnly", boolean()},
  });
  g.message("HostPathVolumeSource", {
      {1, "path", str().always()},
      {2, "type", str().pointer()},
  });
  g.message("ISCSIVolumeSource", {
      {1, "targetPortal", str().always()},
      {2, "iqn", str().always()},
      {3, "lun", i32().always()},
      {4, "iscsiInterface", str()},
      {5, "fsType", str()},
      {6, "readOnly", boolean()},
      {7, "portals", listOf(str())},
      {8, "chapAuthDiscovery", boolean()},
      {11, "chapAuthSession", boolean()},
      {10, "secretRef", msg("LocalObjectReference").pointer()},
      {12, "initiatorName", str().pointer()},
  });
  g.message("ImageVolumeSource", {
      {1, "reference", str()},
      {2, "pullPolicy", str()},
  });
  g.message("KeyToPath", {
      {1, "key", str().always()},
      {2, "path", str().always()},
      {3, "mode", i32().pointer()},
  });
  g.message("ModifyVolumeStatus", {
      {1, "targetVolumeAttributesClassName", str()},
      {2, "status", str().always()},
  });
  g.message("NFSVolumeSource", {
      {1, "server", str().always()},
      {2, "path", str().always()},
      {3, "readOnly", boolean()},
  });
  g.message("PersistentVolumeClaimCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {3, "lastProbeTime", metaTime()},
      {4, "lastTransitionTime", metaTime()},
      {5, "reason", str()},
      {6, "message", str()},
  });
  g.message("PersistentVolumeClaimSpec", {
      {1, "accessModes", listOf(str())},
      {4, "selector", msg("meta/v1.LabelSelector").pointer()},
      {2, "resources", msg("VolumeResourceRequirements")},
      {3, "volumeName", str()},
      {5, "storageClassName", str().pointer()},
      {6, "volumeMode", str().pointer()},
      {7, "dataSource", msg("TypedLocalObjectReference").pointer()},
      {8, "dataSourceRef", msg("TypedObjectReference").pointer()},
      {9, "volumeAttributesClassName", str().pointer()},
  });
  g.message("PersistentVolumeClaimStatus", {
      {1, "phase", str()},
      {2, "accessModes", listOf(str())},
      {3, "capacity", mapOf(quantity())},
      {4, "conditions", listOf(msg("PersistentVolumeClaimCondition"))},
      {5, "allocatedResources", mapOf(quantity())},
      {7, "allocatedResourceStatuses", mapOf(str())},
      {8, "currentVolumeAttributesClassName", str().pointer()},
      {9, "modifyVolumeStatus", msg("ModifyVolumeStatus").pointer()},
  });
  g.message("PersistentVolumeClaimTemplate", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("PersistentVolumeClaimSpec")},
  });
  g.message("PersistentVolumeClaimVolumeSource", {
      {1, "claimName", str().always()},
      {2, "readOnly", boolean()},
  });
  g.message("PhotonPersistentDiskVolumeSource", {
      {1, "pdID", str().always()},
      {2, "fsType", str()},
  });
  g.message("PortworxVolumeSource", {
      {1, "volumeID", str().always()},
      {2, "fsType", str()},
      {3, "readOnly", boolean()},
  });
  g.message("ProjectedVolumeSource", {
      {1, "sources", listOf(msg("VolumeProjection")).always()},
      {2, "defaultMode", i32().pointer()},
  });
  g.message("QuobyteVolumeSource", {
      {1, "registry", str().always()},
      {2, "volume", str().always()},
      {3, "readOnly", boolean()},
      {4, "user", str()},
      {5, "group", str()},
      {6, "tenant", str()},
  });
  g.message("RBDVolumeSource", {
      {1, "monitors", listOf(str()).always()},
      {2, "image", str().always()},
      {3, "fsType", str()},
      {4, "pool", str()},
      {5, "user", str()},
      {6, "keyring", str()},
      {7, "secretRef", msg("LocalObjectReference").pointer()},
      {8, "readOnly", boolean()},
  });
  g.message("ScaleIOVolumeSource", {
      {1, "gateway", str().always()},
      {2, "system", str().always()},
      {3, "secretRef", msg("LocalObjectReference").pointer().always()},
      {4, "sslEnabled", boolean()},
      {5, "protectionDomain", str()},
      {6, "storagePool", str()},
      {7, "storageMode", str()},
      {8, "volumeName", str()},
      {9, "fsType", str()},
      {10, "readOnly", boolean()},
  });
  g.message("SecretProjection", {
      {1, "", msg("LocalObjectReference").inlined()},
      {2, "items", listOf(msg("KeyToPath"))},
      {4, "optional", boolean().pointer()},
  });
  g.message("SecretVolumeSource", {
      {1, "secretName", str()},
      {2, "items", listOf(msg("KeyToPath"))},
      {3, "defaultMode", i32().pointer()},
      {4, "optional", boolean().pointer()},
  });
  g.message("ServiceAccountTokenProjection", {
      {1, "audience", str()},
      {2, "expirationSeconds", i64().pointer()},
      {3, "path", str().always()},
  });
  g.message("StorageOSVolumeSource", {
      {1, "volumeName", str()},
      {2, "volumeNamespace", str()},
      {3, "fsType", str()},
      {4, "readOnly", boolean()},
      {5, "secretRef", msg("LocalObjectReference").pointer()},
  });
  g.message("TypedLocalObjectReference", {
      {1, "apiGroup", str().pointer().always()},
      {2, "kind", str().always()},
      {3, "name", str().always()},
  });
  g.message("TypedObjectReference", {
      {1, "apiGroup", str().pointer().always()},
      {2, "kind", str().always()},
      {3, "name", str().always()},
      {4, "namespace", str().pointer()},
  });
  g.message("Volume", {
      {1, "name", str().always()},
      {2, "", msg("VolumeSource").inlined()},
  });
  g.message("VolumeProjection", {
      {1, "secret", msg("SecretProjection").pointer()},
      {2, "downwardAPI", msg("DownwardAPIProjection").pointer()},
      {3, "configMap", msg("ConfigMapProjection").pointer()},
      {4, "serviceAccountToken", msg("ServiceAccountTokenProjection").pointer()},
      {5, "clusterTrustBundle", msg("ClusterTrustBundleProjection").pointer()},
  });
  g.message("VolumeResourceRequirements", {
      {1, "limits", mapOf(quantity())},
      {2, "requests", mapOf(quantity())},
  });
  g.message("VolumeSource", {
      {1, "hostPath", msg("HostPathVolumeSource").pointer()},
      {2, "emptyDir", msg("EmptyDirVolumeSource").pointer()},
      {3, "gcePersistentDisk", msg("GCEPersistentDiskVolumeSource").pointer()},
      {4, "awsElasticBlockStore", msg("AWSElasticBlockStoreVolumeSource").pointer()},
      {5, "gitRepo", msg("GitRepoVolumeSource").pointer()},
      {6, "secret", msg("SecretVolumeSource").pointer()},
      {7, "nfs", msg("NFSVolumeSource").pointer()},
      {8, "iscsi", msg("ISCSIVolumeSource").pointer()},
      {9, "glusterfs", msg("GlusterfsVolumeSource").pointer()},
      {10, "persistentVolumeClaim", msg("PersistentVolumeClaimVolumeSource").pointer()},
      {11, "rbd", msg("RBDVolumeSource").pointer()},
      {12, "flexVolume", msg("FlexVolumeSource").pointer()},
      {13, "cinder", msg("CinderVolumeSource").pointer()},
      {14, "cephfs", msg("CephFSVolumeSource").pointer()},
      {15, "flocker", msg("FlockerVolumeSource").pointer()},
      {16, "downwardAPI", msg("DownwardAPIVolumeSource").pointer()},
      {17, "fc", msg("FCVolumeSource").pointer()},
      {18, "azureFile", msg("AzureFileVolumeSource").pointer()},
      {19, "configMap", msg("ConfigMapVolumeSource").pointer()},
      {20, "vsphereVolume", msg("VsphereVirtualDiskVolumeSource").pointer()},
      {21, "quobyte", msg("QuobyteVolumeSource").pointer()},
      {22, "azureDisk", msg("AzureDiskVolumeSource").pointer()},
      {23, "photonPersistentDisk", msg("PhotonPersistentDiskVolumeSource").pointer()},
      {26, "projected", msg("ProjectedVolumeSource").pointer()},
      {24, "portworxVolume", msg("PortworxVolumeSource").pointer()},
      {25, "scaleIO", msg("ScaleIOVolumeSource").pointer()},
      {27, "storageos", msg("StorageOSVolumeSource").pointer()},
      {28, "csi", msg("CSIVolumeSource").pointer()},
      {29, "ephemeral", msg("EphemeralVolumeSource").pointer()},
      {30, "image", msg("ImageVolumeSource").pointer()},
  });
  g.message("VsphereVirtualDiskVolumeSource", {
      {1, "volumePath", str().always()},
      {2, "fsType", str()},
      {3, "storagePolicyName", str()},
      {4, "storagePolicyID", str()},
  });
}

}  // namespace kcpp::protobuf
