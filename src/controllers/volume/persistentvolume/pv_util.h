#pragma once
// What the PersistentVolume binder and the provisioners share: upstream's
// annotation names and the rules by which a volume satisfies a claim
// (pkg/controller/volume/persistentvolume/util).

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "api/validation/quantity.h"
#include "client/informer/informer.h"

namespace kcpp::controllers::volume {

namespace json = boost::json;

inline constexpr const char* kAnnBindCompleted = "pv.kubernetes.io/bind-completed";
inline constexpr const char* kAnnBoundByController = "pv.kubernetes.io/bound-by-controller";
inline constexpr const char* kAnnDynamicallyProvisioned = "pv.kubernetes.io/provisioned-by";
inline constexpr const char* kAnnStorageProvisioner = "volume.kubernetes.io/storage-provisioner";
inline constexpr const char* kAnnBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";
inline constexpr const char* kAnnSelectedNode = "volume.kubernetes.io/selected-node";
inline constexpr const char* kLabelHostname = "kubernetes.io/hostname";

std::string str(const json::object& obj, std::string_view path);
std::string annotation(const json::object& obj, const std::string& key);
void setAnnotation(json::object& obj, const std::string& key, const std::string& value);

// The claim's storage class: spec.storageClassName, else the beta annotation.
std::string claimClass(const json::object& claim);
std::string volumeClass(const json::object& volume);
// spec.resources.requests.storage / spec.capacity.storage (0 when absent).
api::validation::Quantity claimRequest(const json::object& claim);
api::validation::Quantity volumeCapacity(const json::object& volume);

// Why `volume` cannot serve `claim` (class, volume mode, access modes, size,
// selector), or nullopt when it can. Binding state is not looked at.
std::optional<std::string> volumeMismatch(const json::object& volume, const json::object& claim);
// The volume's required node affinity admits a node with these labels
// (true without an affinity).
bool volumeFitsNode(const json::object& volume, const json::object* node, const std::string& nodeName);
// The claim reference points at this claim (namespace, name and, when set, uid).
bool claimRefMatches(const json::object& volume, const json::object& claim);

// Among `volumes`, the one pre-bound to `claim` that satisfies it, else the
// smallest available one that does (upstream findMatchingVolume). With
// delayBinding and no node, only pre-bound volumes are considered.
client::ObjectPtr findBestMatch(const std::vector<client::ObjectPtr>& volumes, const json::object& claim,
                                bool delayBinding, const json::object* node, const std::string& nodeName);

}  // namespace kcpp::controllers::volume
