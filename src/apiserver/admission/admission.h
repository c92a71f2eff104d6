#pragma once
// Admission: the checks and changes a write goes through after authorization, as
// upstream's admission chain. Plugins are plain objects registered in a table
// (cmd/kcpp/admission_plugins.cpp); the Registry runs the chain on every write
// that comes from a client: mutating plugins after defaulting and before the
// strategy prepares and validates the object, validating plugins after
// validation and just before the write.
//
// Writes the server makes itself (bootstrap objects, in-process controllers)
// carry no user and skip admission, as upstream's loopback writes would pass it.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/schema/resource_type.h"
#include "apiserver/authn/authenticator.h"
#include "util/error.h"

namespace kcpp::apiserver::admission {

namespace json = boost::json;

enum class Operation { Create, Update, Delete, Connect };

// Who asks for a write and where the plugins' remarks go; a null user is the
// server itself, whose writes skip admission.
struct Requester {
  const UserInfo* user = nullptr;
  std::vector<std::string>* warnings = nullptr;
  std::vector<std::pair<std::string, std::string>>* auditAnnotations = nullptr;
};

std::string_view operationName(Operation op);  // "CREATE", "UPDATE", ...

struct Attributes {
  Operation operation = Operation::Create;
  const api::ResourceType* type = nullptr;  // group, version, resource, kind
  std::string subresource;                  // "status", "scale", ... or empty
  std::string ns;
  std::string name;
  // The object being written: mutable for mutating plugins; on delete the
  // stored object. oldObject: the stored object on update, else null.
  json::object* object = nullptr;
  const json::object* oldObject = nullptr;
  const UserInfo* user = nullptr;
  bool dryRun = false;
  // Warnings for the client (Warning headers), e.g. PodSecurity's warn mode.
  std::vector<std::string>* warnings = nullptr;
  // Audit annotations, e.g. "pod-security.kubernetes.io/audit-violations".
  std::vector<std::pair<std::string, std::string>>* auditAnnotations = nullptr;

  const std::string& group() const { return type->group; }
  const std::string& resource() const { return type->resource; }
  const std::string& kind() const { return type->kind; }
  bool is(std::string_view group, std::string_view resource) const {
    return type->group == group && type->resource == resource;
  }
  void warn(std::string message) const {
    if (warnings) warnings->push_back(std::move(message));
  }
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  // Upstream's plugin name, as --enable-admission-plugins takes it.
  virtual std::string_view name() const = 0;
  // Mutating phase: may change *attrs.object. Errors end the request.
  virtual boost::asio::awaitable<Result<void>> admit(Attributes& /*attrs*/) {
    co_return Result<void>{};
  }
  // Validating phase: may not change the object.
  virtual boost::asio::awaitable<Result<void>> validate(const Attributes& /*attrs*/) {
    co_return Result<void>{};
  }
};
using PluginPtr = std::unique_ptr<Plugin>;

// The enabled plugins in upstream's order; each phase runs every plugin in turn
// and stops at the first error.
class Chain {
 public:
  explicit Chain(std::vector<PluginPtr> plugins) : plugins_(std::move(plugins)) {}
  boost::asio::awaitable<Result<void>> admit(Attributes& attrs) const;
  boost::asio::awaitable<Result<void>> validate(const Attributes& attrs) const;
  std::vector<std::string> names() const;

 private:
  std::vector<PluginPtr> plugins_;
};

// Upstream's admission rejection: 403 Forbidden with the message
// `<resource> "<name>" is forbidden: <reason>` (the name omitted when empty).
Error forbidden(const Attributes& attrs, const std::string& reason);

}  // namespace kcpp::apiserver::admission
