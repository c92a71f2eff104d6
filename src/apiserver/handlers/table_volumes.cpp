// PersistentVolume and PersistentVolumeClaim columns (upstream's
// printPersistentVolume, printPersistentVolumeClaim).

#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

namespace {

const char* const kBetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

// GetAccessModesAsString: the short names, always in the order RWO,ROX,RWX,RWOP.
std::string accessModes(const json::object& o, std::string_view path) {
  const json::array& modes = arr(o, path);
  auto contains = [&](std::string_view mode) {
    for (const json::value& m : modes) {
      if (m.is_string() && m.get_string() == mode) return true;
    }
    return false;
  };
  std::vector<std::string> out;
  if (contains("ReadWriteOnce")) out.push_back("RWO");
  if (contains("ReadOnlyMany")) out.push_back("ROX");
  if (contains("ReadWriteMany")) out.push_back("RWX");
  if (contains("ReadWriteOncePod")) out.push_back("RWOP");
  return join(out, ",");
}

const json::value* betaClass(const json::object& o) {
  return obj(o, "metadata.annotations").if_contains(kBetaStorageClassAnnotation);
}

// GetPersistentVolumeClass / GetPersistentVolumeClaimClass: the beta annotation
// first, then spec.storageClassName.
std::string storageClass(const json::object& o) {
  if (const json::value* beta = betaClass(o)) {
    return beta->is_string() ? std::string(beta->get_string()) : "";
  }
  return str(o, "spec.storageClassName");
}

// Absent fields read as upstream's defaults (the apiserver defaults objects as it
// decodes them): phase Pending, volumeMode Filesystem, reclaim policy Retain.
std::string phase(const json::object& o) {
  if (has(o, "metadata.deletionTimestamp")) return "Terminating";
  return strOr(o, "status.phase", "Pending");
}

std::string volumeMode(const json::object& o) { return strOr(o, "spec.volumeMode", "Filesystem"); }

std::string volumeAttributesClass(const json::object& o) {
  return has(o, "spec.volumeAttributesClassName") ? str(o, "spec.volumeAttributesClassName")
                                                  : "<unset>";
}

std::string claimRef(const json::object& pv) {
  if (!has(pv, "spec.claimRef")) return "";
  return str(pv, "spec.claimRef.namespace") + "/" + str(pv, "spec.claimRef.name");
}

Printer persistentVolumePrinter() {
  return {
      {nameColumn(),
       textColumn("Capacity",
                  "capacity is the description of the persistent volume's resources and "
                  "capacity. More info: "
                  "https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity",
                  [](const json::object& o) { return quantityAt(o, "spec.capacity.storage"); }),
       textColumn("Access Modes",
                  "accessModes contains all ways the volume can be mounted. More info: "
                  "https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes",
                  [](const json::object& o) { return accessModes(o, "spec.accessModes"); }),
       textColumn("Reclaim Policy",
                  "persistentVolumeReclaimPolicy defines what happens to a persistent volume "
                  "when released from its claim. Valid options are Retain (default for manually "
                  "created PersistentVolumes), Delete (default for dynamically provisioned "
                  "PersistentVolumes), and Recycle (deprecated). Recycle must be supported by "
                  "the volume plugin underlying this PersistentVolume. More info: "
                  "https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming",
                  [](const json::object& o) {
                    return strOr(o, "spec.persistentVolumeReclaimPolicy", "Retain");
                  }),
       textColumn("Status",
                  "phase indicates if a volume is available, bound to a claim, or released by a "
                  "claim. More info: "
                  "https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase",
                  phase),
       textColumn("Claim",
                  "claimRef is part of a bi-directional binding between PersistentVolume and "
                  "PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is "
                  "the authoritative bind between PV and PVC. More info: "
                  "https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding",
                  claimRef),
       textColumn("StorageClass", "StorageClass of the pv", storageClass),
       textColumn("VolumeAttributesClass", "VolumeAttributesClass of the pv",
                  volumeAttributesClass),
       textColumn("Reason",
                  "reason is a brief CamelCase string that describes any failure and is meant "
                  "for machine parsing and tidy display in the CLI.",
                  [](const json::object& o) { return str(o, "status.reason"); }),
       ageColumn(),
       textColumn("VolumeMode",
                  "volumeMode defines if a volume is intended to be used with a formatted "
                  "filesystem or to remain in raw block state. Value of Filesystem is implied "
                  "when not included in spec.",
                  volumeMode, 1)},
      nullptr};
}

// The capacity and access modes of a claim show only once it names its volume.
std::string claimCapacity(const json::object& pvc) {
  if (str(pvc, "spec.volumeName").empty()) return "";
  return quantityAt(pvc, "status.capacity.storage");
}

std::string claimAccessModes(const json::object& pvc) {
  if (str(pvc, "spec.volumeName").empty()) return "";
  return accessModes(pvc, "status.accessModes");
}

Printer persistentVolumeClaimPrinter() {
  return {
      {nameColumn(),
       textColumn("Status", "phase represents the current phase of PersistentVolumeClaim.",
                  phase),
       textColumn("Volume",
                  "volumeName is the binding reference to the PersistentVolume backing this "
                  "claim.",
                  [](const json::object& o) { return str(o, "spec.volumeName"); }),
       textColumn("Capacity",
                  "capacity represents the actual resources of the underlying volume.",
                  claimCapacity),
       textColumn("Access Modes",
                  "accessModes contains the actual access modes the volume backing the PVC has. "
                  "More info: "
                  "https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1",
                  claimAccessModes),
       textColumn("StorageClass", "StorageClass of the pvc", storageClass),
       textColumn("VolumeAttributesClass", "VolumeAttributesClass of the pvc",
                  volumeAttributesClass),
       ageColumn(),
       textColumn("VolumeMode",
                  "volumeMode defines what type of volume is required by the claim. Value of "
                  "Filesystem is implied when not included in claim spec.",
                  volumeMode, 1)},
      nullptr};
}

}  // namespace

void addVolumePrinters(PrinterMap& printers) {
  printers["/persistentvolumes"] = persistentVolumePrinter();
  printers["/persistentvolumeclaims"] = persistentVolumeClaimPrinter();
}

}  // namespace kcpp::apiserver::table
