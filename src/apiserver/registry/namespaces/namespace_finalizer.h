#pragma once
// NamespaceFinalizer: empties a Terminating namespace and then removes it.
//
// A stopgap inside the API server until the controller-manager's namespace
// controller exists (control-loop issue): without it `kubectl delete ns` would
// wait forever. It follows the namespaces watch (not polling), deletes every
// object of every namespaced resource in a Terminating namespace, and once none
// remain, clears spec.finalizers (the /finalize step) and deletes the namespace.
// Objects held by their own finalizers keep the namespace Terminating, as upstream.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <vector>

#include "apiserver/registry/registry.h"

namespace kcpp::apiserver {

class NamespaceFinalizer {
 public:
  // `delay`: how long a namespace stays Terminating before its content is
  // removed (upstream's namespace controller waits 5 s so that clients deleting
  // a manifest find their objects, and late creations are observed).
  NamespaceFinalizer(Registry& namespaces, std::vector<Registry*> namespaced,
                     std::chrono::milliseconds delay = std::chrono::seconds(5));
  // Runs until `stop` is set (checked every second).
  boost::asio::awaitable<void> run(const std::atomic<bool>& stop);

 private:
  // True once the namespace is gone.
  boost::asio::awaitable<bool> finalize(const std::string& name);

  Registry& namespaces_;
  std::vector<Registry*> namespaced_;
  std::chrono::milliseconds delay_;
};

}  // namespace kcpp::apiserver
