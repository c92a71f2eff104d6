#pragma once
// PerNamespaceLoop: the control loop of a controller that keeps one object in
// every active namespace, as upstream's service account controller and root CA
// publisher do. It calls `sync(namespace)` when a namespace appears or is
// Active again, and when the object it keeps (named `objectName` in `objects`)
// is added, changed or deleted; a failed sync is retried a second later.
//
// It learns of changes from the watch caches (never by polling), keeps a
// de-duplicated queue of namespaces, and runs one sync at a time on a strand.
// Until there is a client library and a controller-manager, it runs inside the
// API server against the registries; what it needs of them (watch, list) is
// what an informer would give.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "apiserver/registry/registry.h"
#include "util/error.h"

namespace kcpp::controllers {

class PerNamespaceLoop {
 public:
  using Sync = std::function<boost::asio::awaitable<Result<void>>(const std::string& ns)>;

  // `name` is for the log ("serviceaccount", "root-ca-cert-publisher").
  PerNamespaceLoop(std::string name, apiserver::Registry& namespaces, apiserver::Registry& objects,
                   std::string objectName, Sync sync);
  ~PerNamespaceLoop();

  // Starts the loop's coroutines on `executor`; they end within about a second
  // of `stop` becoming true. `stop` and this object must outlive them.
  void start(const boost::asio::any_io_executor& executor, const std::atomic<bool>& stop);

  struct State;

 private:
  std::string name_;
  apiserver::Registry& namespaces_;
  apiserver::Registry& objects_;
  std::string objectName_;
  Sync sync_;
  std::shared_ptr<State> state_;
};

// Whether the namespace exists and is Active, from the namespaces cache: the
// loops' own writes skip admission, so they must not create objects in a
// namespace that is being deleted.
bool isActiveNamespace(apiserver::Registry& namespaces, const std::string& name);

}  // namespace kcpp::controllers
