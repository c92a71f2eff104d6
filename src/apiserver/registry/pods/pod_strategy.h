#pragma once
// Pods (upstream pkg/registry/core/pod): status Pending with a QoS class on
// create, and graceful deletion only for pods a node may be running.

#include "apiserver/registry/strategy.h"

namespace kcpp::apiserver {

class PodStrategy : public Strategy {
 public:
  void prepareForCreate(json::object& obj) const override;
  void prepareForUpdate(json::object& obj, const json::object& old) const override;
  std::int64_t gracePeriod(const json::object& obj, const DeleteOptions& options) const override;
};

// BestEffort, Burstable or Guaranteed, from the containers' requests and limits.
std::string qosClass(const json::object& pod);

}  // namespace kcpp::apiserver
