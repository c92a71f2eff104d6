#pragma once
// PerNamespaceController: a controller that keeps one named object in every
// active namespace, as upstream's ServiceAccountsController (the "default"
// ServiceAccount) and root CA publisher (the kube-root-ca.crt ConfigMap). A
// namespace is synced when it appears or becomes Active, and when its object is
// added, changed or deleted. The object is followed by a shared informer
// filtered by name, so the controller holds one object per namespace, not the
// whole resource.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>

#include "client/informer/informer.h"
#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"

namespace kcpp::controllers {

class PerNamespaceController : public Controller {
 public:
  // `kept` names the resource (group, version, resource) of the object named
  // `objectName`; `name` is for the log.
  PerNamespaceController(std::string name, client::RestClient& client, client::InformerFactory& informers,
                         boost::asio::any_io_executor executor, client::ResourcePath kept,
                         std::string objectName);

  boost::asio::awaitable<void> run() override;
  void stop() override;

 protected:
  // Creates or repairs the object in the Active namespace `ns`; `current` is
  // the cached object, null if there is none.
  virtual boost::asio::awaitable<Result<void>> syncObject(const std::string& ns,
                                                          const client::ObjectPtr& current) = 0;
  // The path of the object in `ns` (the collection if `name` is empty).
  client::ResourcePath pathIn(const std::string& ns, const std::string& name) const;

  client::RestClient& client_;
  const std::string objectName_;

 private:
  boost::asio::awaitable<Result<void>> sync(const std::string& ns);

  std::string name_;
  client::InformerFactory& informers_;
  client::Informer& namespaces_;
  client::ResourcePath kept_;
  client::Informer& objects_;
  boost::asio::any_io_executor executor_;
  client::WorkQueue queue_;
};

// Whether a Namespace object is Active (not being deleted).
bool isActiveNamespace(const boost::json::object& ns);

}  // namespace kcpp::controllers
