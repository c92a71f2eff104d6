#include "apiserver/admission/admission.h"

namespace kcpp::apiserver::admission {

std::string_view operationName(Operation op) {
  switch (op) {
    case Operation::Create: return "CREATE";
    case Operation::Update: return "UPDATE";
    case Operation::Delete: return "DELETE";
    case Operation::Connect: return "CONNECT";
  }
  return "";
}

boost::asio::awaitable<Result<void>> Chain::admit(Attributes& attrs) const {
  for (const PluginPtr& plugin : plugins_) {
    if (auto ok = co_await plugin->admit(attrs); !ok) co_return ok;
  }
  co_return Result<void>{};
}

boost::asio::awaitable<Result<void>> Chain::validate(const Attributes& attrs) const {
  for (const PluginPtr& plugin : plugins_) {
    if (auto ok = co_await plugin->validate(attrs); !ok) co_return ok;
  }
  co_return Result<void>{};
}

std::vector<std::string> Chain::names() const {
  std::vector<std::string> out;
  for (const PluginPtr& plugin : plugins_) out.emplace_back(plugin->name());
  return out;
}

Error forbidden(const Attributes& attrs, const std::string& reason) {
  std::string resource = attrs.type->resource;
  if (!attrs.type->group.empty()) resource += "." + attrs.type->group;
  Error e = makeError(Reason::Forbidden,
                      attrs.name.empty() ? resource + " is forbidden: " + reason
                                         : resource + " \"" + attrs.name + "\" is forbidden: " + reason);
  e.name = attrs.name;
  e.group = attrs.type->group;
  e.kind = attrs.type->resource;
  return e;
}

}  // namespace kcpp::apiserver::admission
