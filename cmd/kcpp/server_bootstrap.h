#pragma once
// What `kcpp server` ensures exists at every start, as upstream's apiserver
// bootstrap controllers do: the system namespaces and the `kubernetes` Service.

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

// The first usable address of an IPv4 CIDR ("10.43.0.0/16" → "10.43.0.1").
Result<std::string> firstIpOf(const std::string& cidr);

}  // namespace kcpp::cmd
