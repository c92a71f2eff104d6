#pragma once
// The hash of a container's spec kept on the runtime container (annotation
// io.kubernetes.container.hash, as upstream's HashContainer): a container whose
// spec no longer hashes the same is killed and recreated.

#include <boost/json.hpp>

#include <string>

namespace kcpp::kubelet::kuberuntime {

// FNV-1a (32 bit) of the container's JSON with keys sorted, in lowercase hex
// (upstream writes the hash with strconv.FormatUint(h, 16)). Key order in the
// object does not change it; any field value does.
std::string containerHash(const boost::json::object& container);

}  // namespace kcpp::kubelet::kuberuntime
