#pragma once
// What `kcpp server` ensures exists at every start, as upstream's apiserver
// bootstrap controllers do: the system namespaces, the `kubernetes` Service and
// the system PriorityClasses.

#include <boost/asio/awaitable.hpp>

#include <string>

#include "apiserver/registry/registry.h"
#include "util/error.h"

namespace kcpp::cmd {

struct BootstrapConfig {
  std::string firstServiceIp;  // the `kubernetes` Service's cluster IP
  int securePort = 6443;       // its target port
};

boost::asio::awaitable<Result<void>> ensureSystemObjects(apiserver::Registry& namespaces,
                                                         apiserver::Registry& services,
                                                         BootstrapConfig config);

// The two system PriorityClasses upstream's scheduling API creates at start
// (system-node-critical 2000001000, system-cluster-critical 2000000000).
boost::asio::awaitable<Result<void>> ensureSystemPriorityClasses(apiserver::Registry& priorityClasses);

// k3s's default StorageClass `local-path` (rancher.io/local-path, WaitForFirstConsumer,
// Delete), created once: a user's later edits or deletion of its default mark stay.
boost::asio::awaitable<Result<void>> ensureLocalPathStorageClass(apiserver::Registry& storageClasses);

// The first usable address of an IPv4 CIDR ("10.43.0.0/16" → "10.43.0.1").
Result<std::string> firstIpOf(const std::string& cidr);

}  // namespace kcpp::cmd
