#pragma once
// Strategy: the per-resource rules the generic Registry consults (upstream's
// RESTCreateStrategy / RESTUpdateStrategy / RESTGracefulDeleteStrategy). The
// defaults suit most resources; registry/<resource>/ overrides what differs.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <memory>
#include <optional>
#include <vector>

#include "apiserver/admission/admission.h"
#include "util/error.h"

namespace kcpp::apiserver {

namespace json = boost::json;

class Registry;

struct DeleteOptions {
  std::optional<std::int64_t> gracePeriodSeconds;
  std::string preconditionUid;
  std::string preconditionResourceVersion;
  std::string propagationPolicy;  // Orphan | Background | Foreground
  bool dryRun = false;
  admission::Requester requester;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Fill what the system owns on create (after generic metadata is set).
  virtual void prepareForCreate(json::object& /*obj*/) const {}
  // The same, for strategies that record who creates (CSRs); `user` is null
  // for the server's own writes.
  virtual void prepareForCreateBy(json::object& obj, const UserInfo* /*user*/) const { prepareForCreate(obj); }
  // Carry over what a main-resource update may not change.
  virtual void prepareForUpdate(json::object& /*obj*/, const json::object& /*old*/) const {}
  virtual std::vector<Cause> validate(const json::object& /*obj*/) const { return {}; }
  virtual std::vector<Cause> validateUpdate(const json::object& /*obj*/,
                                            const json::object& /*old*/) const {
    return {};
  }
  // Allocations that must happen before the object is stored (service IPs,
  // node ports); undone by release() if the write fails or on delete.
  virtual boost::asio::awaitable<Result<void>> allocate(json::object& /*obj*/) {
    co_return Result<void>{};
  }
  virtual void release(const json::object& /*obj*/) {}
  // The same for an update (a Service changed to NodePort needs node ports):
  // reserve what `obj` needs that `old` does not hold, just before the write.
  // After the write, finishUpdate(written = true) frees what only `old` held;
  // written = false undoes allocateUpdate.
  virtual boost::asio::awaitable<Result<void>> allocateUpdate(json::object& /*obj*/,
                                                              const json::object& /*old*/) {
    co_return Result<void>{};
  }
  virtual void finishUpdate(const json::object& /*obj*/, const json::object& /*old*/,
                            bool /*written*/) {}
  // Called by Registry::start() once the resource's cache is loaded (e.g. to
  // rebuild allocation state from the stored objects).
  virtual boost::asio::awaitable<Result<void>> start(Registry& /*registry*/) {
    co_return Result<void>{};
  }
  // Seconds of graceful deletion for this object (0: delete now), as
  // upstream's CheckGracefulDelete.
  virtual std::int64_t gracePeriod(const json::object& /*obj*/,
                                   const DeleteOptions& /*options*/) const {
    return 0;
  }
  // Called when a DELETE finds the object: a strategy that keeps the object for
  // now (namespaces become Terminating) changes `obj` and returns true.
  virtual bool keepOnDelete(json::object& /*obj*/) const { return false; }
  // Whether a PUT of an absent object creates it.
  virtual bool allowCreateOnUpdate() const { return false; }
};
using StrategyPtr = std::unique_ptr<Strategy>;

}  // namespace kcpp::apiserver
