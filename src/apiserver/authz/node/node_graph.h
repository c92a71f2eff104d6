#pragma once
// NodeGraph: upstream's node authorizer graph, kept as indexes rather than a
// general graph. A pod bound to a node (spec.nodeName) relates that node to the
// pod and to every object the pod references: secrets, configmaps, PVCs (also
// the generic ephemeral volume's "<pod>-<volume>" claim), its service account
// and its resource claims. A PVC relates the node further to its bound PV
// (spec.volumeName), and a PV to the secrets its volume source names.
//
//   node <- pod <- secret | configmap | serviceaccount | resourceclaim
//   node <- pod <- pvc <- pv <- secret
//
// Thread-safe: written from the watch-cache feeds, read by every request.

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace kcpp::apiserver::node {

namespace json = boost::json;

enum class Vertex { Pod, Secret, ConfigMap, Pvc, Pv, ServiceAccount, ResourceClaim };

// The objects a pod references, as "<vertex>/<ns>/<name>" keys (upstream's
// VisitPodSecretNames / ConfigMapNames plus PVCs, service account, claims).
std::vector<std::string> podReferences(const json::object& pod);
std::string vertexKey(Vertex v, const std::string& ns, const std::string& name);

class NodeGraph {
 public:
  void upsertPod(const json::object& pod);
  void removePod(const std::string& ns, const std::string& name);
  void upsertPvc(const json::object& pvc);
  void removePvc(const std::string& ns, const std::string& name);
  void upsertPv(const json::object& pv);
  void removePv(const std::string& name);
  enum class Source { Pods, Pvcs, Pvs };
  void clear(Source source);

  // Whether there is a path from the object to the node.
  bool related(const std::string& nodeName, Vertex v, const std::string& ns,
               const std::string& name) const;

 private:
  struct PodEntry {
    std::string node;
    std::vector<std::string> refs;  // including the pod itself
  };
  void dropPod(const std::string& podKey);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, PodEntry> pods_;  // "ns/name"
  // node → reference key → how many of its pods hold it
  std::unordered_map<std::string, std::unordered_map<std::string, int>> byNode_;
  std::unordered_map<std::string, std::string> pvcVolume_;          // "ns/name" → PV
  std::unordered_map<std::string, std::set<std::string>> pvSecrets_;  // PV → secret keys
};

}  // namespace kcpp::apiserver::node
