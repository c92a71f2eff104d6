#include "apiserver/admission/limitranger/limit_ranger.h"

#include "api/meta/object.h"
#include "apiserver/admission/limitranger/limit_rules.h"

namespace kcpp::apiserver::admission {

namespace {

bool isPod(const Attributes& attrs) { return attrs.is("", "pods"); }
bool isClaim(const Attributes& attrs) { return attrs.is("", "persistentvolumeclaims"); }

// SupportsAttributes, and objects already being deleted are left alone.
bool applies(const Attributes& attrs) {
  if (!attrs.object || !attrs.subresource.empty()) return false;
  if (attrs.operation != Operation::Create && attrs.operation != Operation::Update) return false;
  if (isPod(attrs) && attrs.operation == Operation::Update) return false;
  if (!isPod(attrs) && !isClaim(attrs)) return false;
  const json::object* oldMeta = attrs.oldObject ? api::findObject(*attrs.oldObject, "metadata") : nullptr;
  return !(oldMeta && oldMeta->contains("deletionTimestamp"));
}

}  // namespace

boost::asio::awaitable<Result<std::vector<json::object>>> LimitRanger::limitRangesOf(
    const Attributes& attrs) {
  storage::ListOptions all;
  auto listed = co_await limitRanges_.list(attrs.ns, std::move(all));
  if (!listed) {
    co_return forbidden(attrs, "unable to " + std::string(operationName(attrs.operation)) + " " +
                                   attrs.group() + "/" + attrs.type->version +
                                   ", Resource=" + attrs.resource() +
                                   " at this time because there was an error enforcing limit ranges");
  }
  std::vector<json::object> out;
  for (const storage::CachedObject& item : listed->items) {
    auto parsed = api::parseJson(*item.json);
    if (parsed && parsed->is_object()) out.push_back(std::move(parsed->get_object()));
  }
  co_return out;
}

boost::asio::awaitable<Result<void>> LimitRanger::admit(Attributes& attrs) {
  if (!applies(attrs) || !isPod(attrs)) co_return Result<void>{};
  auto ranges = co_await limitRangesOf(attrs);
  if (!ranges) co_return std::move(ranges).error();
  for (const json::object& range : *ranges) limits::applyContainerDefaults(range, *attrs.object);
  co_return Result<void>{};
}

boost::asio::awaitable<Result<void>> LimitRanger::validate(const Attributes& attrs) {
  if (!applies(attrs)) co_return Result<void>{};
  auto ranges = co_await limitRangesOf(attrs);
  if (!ranges) co_return std::move(ranges).error();
  for (const json::object& range : *ranges) {
    std::vector<std::string> violations = isPod(attrs)
                                              ? limits::podViolations(range, *attrs.object)
                                              : limits::claimViolations(range, *attrs.object);
    if (!violations.empty()) co_return forbidden(attrs, limits::aggregate(violations));
  }
  co_return Result<void>{};
}

}  // namespace kcpp::apiserver::admission
