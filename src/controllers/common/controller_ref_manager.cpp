#include "controllers/common/controller_ref_manager.h"

#include "api/meta/object.h"
#include "controllers/common/controller_utils.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

bool beingDeleted(const json::object& obj) { return api::findPath(obj, "metadata.deletionTimestamp") != nullptr; }

}  // namespace

asio::awaitable<Result<int>> adoptAndRelease(client::RestClient& client, const ClaimOwner& owner,
                                             const selectors::LabelSelector& selector,
                                             const std::vector<std::shared_ptr<const json::object>>& candidates,
                                             const ClaimedKind& kind,
                                             const std::function<bool(const json::object&)>& member) {
  // An empty selector would adopt everything: upstream's validation forbids it.
  if (selector.empty() || selector.matchesNothing()) co_return 0;
  const std::string uid = str(owner.object, "metadata.uid");
  const bool ownerDeleting = beingDeleted(owner.object);
  int changed = 0;
  for (const auto& obj : candidates) {
    bool matches = selector.matches(api::metaLabels(*obj)) && (!member || member(*obj));
    auto ref = controllerRef(*obj);
    bool release = ref && ref->uid == uid && !matches && !ownerDeleting;
    bool adopt = !ref && matches && !ownerDeleting && !beingDeleted(*obj);
    if (!release && !adopt) continue;
    json::object meta{{"uid", str(*obj, "metadata.uid")}};  // precondition: the same object
    if (release) {
      meta["ownerReferences"] = json::array{json::object{{"$patch", "delete"}, {"uid", uid}}};
    } else {
      meta["ownerReferences"] = json::array{makeControllerRef(owner.object, owner.apiVersion, owner.kind)};
    }
    json::object patchBody{{"metadata", std::move(meta)}};
    client::ResourcePath path{kind.group, kind.version, kind.resource, str(*obj, "metadata.namespace"),
                              str(*obj, "metadata.name"), "", ""};
    const std::string contentType = "application/strategic-merge-patch+json";
    const std::string body = json::serialize(patchBody);
    auto patched = co_await client.patch(path, contentType, body);
    // Gone, or changed meanwhile (uid precondition): the next sync decides again.
    if (!patched && patched.error().reason != Reason::NotFound && patched.error().reason != Reason::Invalid &&
        patched.error().reason != Reason::Conflict) {
      co_return std::move(patched).error();
    }
    if (patched) ++changed;
  }
  co_return changed;
}

}  // namespace kcpp::controllers
