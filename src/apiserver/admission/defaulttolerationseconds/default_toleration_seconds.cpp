#include "apiserver/admission/defaulttolerationseconds/default_toleration_seconds.h"

#include "api/meta/object.h"

namespace kcpp::apiserver::admission {

namespace {

constexpr std::string_view kNotReady = "node.kubernetes.io/not-ready";
constexpr std::string_view kUnreachable = "node.kubernetes.io/unreachable";

// Whether a toleration already covers `taintKey`'s NoExecute taint: the same
// key or any key (empty), with effect NoExecute or any effect (empty).
bool covers(const json::object& toleration, std::string_view taintKey) {
  std::string_view key = api::getString(toleration, "key");
  std::string_view effect = api::getString(toleration, "effect");
  return (key == taintKey || key.empty()) && (effect == "NoExecute" || effect.empty());
}

json::object toleration(std::string_view key, std::int64_t seconds) {
  // Field order as upstream's Toleration struct serializes.
  return json::object{{"key", key},
                      {"operator", "Exists"},
                      {"effect", "NoExecute"},
                      {"tolerationSeconds", seconds}};
}

}  // namespace

boost::asio::awaitable<Result<void>> DefaultTolerationSeconds::admit(Attributes& attrs) {
  bool applies = attrs.is("", "pods") && attrs.subresource.empty() && attrs.object &&
                 (attrs.operation == Operation::Create || attrs.operation == Operation::Update);
  if (!applies) co_return Result<void>{};
  json::object& spec = api::ensureObject(*attrs.object, "spec");
  json::value& list = spec["tolerations"];
  if (!list.is_array()) list = json::array();
  json::array& tolerations = list.get_array();
  bool notReady = false;
  bool unreachable = false;
  for (const json::value& t : tolerations) {
    if (!t.is_object()) continue;
    notReady = notReady || covers(t.get_object(), kNotReady);
    unreachable = unreachable || covers(t.get_object(), kUnreachable);
  }
  if (!notReady) tolerations.push_back(toleration(kNotReady, notReadySeconds_));
  if (!unreachable) tolerations.push_back(toleration(kUnreachable, unreachableSeconds_));
  co_return Result<void>{};
}

}  // namespace kcpp::apiserver::admission
