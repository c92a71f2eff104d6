#pragma once
// ApiSource: the pods bound to this node, from an informer on
// pods?fieldSelector=spec.nodeName=<node> (upstream's config/apiserver.go).
// After every change it hands the desired pods (mirror pods left out) to one
// callback and the mirror pods to another.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/informer/informer.h"
#include "client/rest/rest_client.h"

namespace kcpp::kubelet::config {

namespace json = boost::json;

class ApiSource {
 public:
  using Handler = std::function<void(std::vector<json::object>)>;

  ApiSource(client::RestClient& client, const std::string& nodeName, Handler pods, Handler mirrorPods);

  boost::asio::awaitable<void> run();
  void stop();
  bool synced() const { return informer_->hasSynced(); }

 private:
  void deliver();
  boost::asio::awaitable<void> firstDelivery();

  std::unique_ptr<client::Informer> informer_;
  Handler pods_;
  Handler mirrorPods_;
  bool stopped_ = false;
};

}  // namespace kcpp::kubelet::config
