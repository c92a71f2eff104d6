#pragma once
// Helpers upstream's controllers share (pkg/controller/controller_utils.go):
// controller references, pods made from a template, which pods are active,
// ready and available, and the order in which surplus pods are deleted.

#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kcpp::controllers {

namespace json = boost::json;
using PodPtr = std::shared_ptr<const json::object>;

struct OwnerRef {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
};

// The ownerReference with controller: true, if any.
std::optional<OwnerRef> controllerRef(const json::object& obj);
// Indexes objects by the uid of their controller (the ownerReference with
// controller: true), so a controller finds what it owns without a scan.
inline constexpr const char* kControllerUidIndex = "controller-uid";
std::vector<std::string> controllerUidIndex(const json::object& obj);
// Indexes objects without a controller by their namespace: the orphans a
// controller may adopt, found without scanning what the others own.
inline constexpr const char* kOrphanNamespaceIndex = "orphan-namespace";
std::vector<std::string> orphanNamespaceIndex(const json::object& obj);

// An ownerReference naming `owner` as controller (blockOwnerDeletion set).
json::object makeControllerRef(const json::object& owner, const std::string& apiVersion,
                               const std::string& kind);

// A new pod from a pod template: the template's labels, annotations, finalizers
// and spec, generateName "<owner name>-", and the controller reference.
json::object podFromTemplate(const json::object& podTemplate, const json::object& owner,
                             const json::object& ownerRef);

// Not terminated (Succeeded/Failed) and not being deleted.
bool isPodActive(const json::object& pod);
bool isPodReady(const json::object& pod);
// Ready for at least minReadySeconds at `now`.
bool isPodAvailable(const json::object& pod, std::int64_t minReadySeconds,
                    std::chrono::system_clock::time_point now);

// The `count` pods to delete first among `pods`, as upstream's getPodsToDelete:
// ranked by ActivePodsWithRanks, where a pod's rank is how many of
// `relatedPods` share its node.
std::vector<PodPtr> podsToDelete(const std::vector<PodPtr>& pods,
                                 const std::vector<PodPtr>& relatedPods, std::size_t count);

}  // namespace kcpp::controllers
