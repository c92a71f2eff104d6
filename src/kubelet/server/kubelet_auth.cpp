#include "kubelet/server/kubelet_auth.h"

#include <boost/json.hpp>

namespace kcpp::kubelet::server {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::chrono::minutes kTokenTtl{2};
constexpr std::chrono::minutes kAllowedTtl{5};
constexpr std::chrono::seconds kDeniedTtl{30};

bool isSubpath(const std::string& path, const std::string& prefix) {
  return path == prefix || path.starts_with(prefix + "/");
}

std::string decisionKey(const KubeletUser& user, const KubeletAttributes& a) {
  std::string key = user.name + '\0' + user.uid + '\0' + a.verb + '\0' + a.subresource + '\0' + a.nodeName;
  for (const auto& g : user.groups) key += '\0' + g;
  return key;
}

}  // namespace

KubeletAttributes kubeletAttributes(const std::string& method, const std::string& path,
                                    const std::string& nodeName) {
  KubeletAttributes a;
  a.nodeName = nodeName;
  if (method == "POST") a.verb = "create";
  else if (method == "GET" || method == "HEAD") a.verb = "get";
  else if (method == "PUT") a.verb = "update";
  else if (method == "PATCH") a.verb = "patch";
  else if (method == "DELETE") a.verb = "delete";
  else a.verb = method;
  if (isSubpath(path, "/stats")) a.subresource = "stats";
  else if (isSubpath(path, "/metrics")) a.subresource = "metrics";
  else if (isSubpath(path, "/logs")) a.subresource = "log";
  else a.subresource = "proxy";
  return a;
}

asio::awaitable<std::optional<KubeletUser>> ApiKubeletAuth::authenticateToken(const std::string& token) {
  auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = tokens_.find(token); it != tokens_.end() && it->second.expires > now) {
      co_return it->second.user;
    }
  }
  json::object review{{"apiVersion", "authentication.k8s.io/v1"},
                      {"kind", "TokenReview"},
                      {"spec", json::object{{"token", token}}}};
  auto answer = co_await client_.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                                         json::serialize(review), "application/json");
  if (!answer) co_return std::nullopt;  // not cached: the API may be back soon
  std::optional<KubeletUser> user;
  const json::object* status = answer->if_contains("status") ? answer->at("status").if_object() : nullptr;
  if (status && status->if_contains("authenticated") && status->at("authenticated").is_bool() &&
      status->at("authenticated").as_bool()) {
    KubeletUser u;
    if (auto* info = status->if_contains("user"); info && info->is_object()) {
      const auto& o = info->as_object();
      if (auto* n = o.if_contains("username"); n && n->is_string()) u.name = n->as_string();
      if (auto* id = o.if_contains("uid"); id && id->is_string()) u.uid = id->as_string();
      if (auto* gs = o.if_contains("groups"); gs && gs->is_array()) {
        for (const auto& g : gs->as_array()) {
          if (g.is_string()) u.groups.emplace_back(g.as_string());
        }
      }
    }
    user = std::move(u);
  }
  {
    std::lock_guard lock(mutex_);
    tokens_[token] = TokenEntry{user, now + kTokenTtl};
  }
  co_return user;
}

asio::awaitable<Result<void>> ApiKubeletAuth::authorize(const KubeletUser& user,
                                                        const KubeletAttributes& a) {
  auto forbidden = [&](const std::string& reason) {
    // Upstream's kubelet: "Forbidden (user=..., verb=..., resource=nodes, subresource=...)".
    return makeError(Reason::Forbidden, "Forbidden (user=" + user.name + ", verb=" + a.verb +
                                            ", resource=nodes, subresource=" + a.subresource + ")" +
                                            (reason.empty() ? "" : ": " + reason));
  };
  auto key = decisionKey(user, a);
  auto now = Clock::now();
  std::optional<DecisionEntry> cached;
  {
    std::lock_guard lock(mutex_);
    if (auto it = decisions_.find(key); it != decisions_.end() && it->second.expires > now) cached = it->second;
  }
  if (cached && cached->allowed) co_return Result<void>{};
  if (cached) co_return forbidden(cached->reason);
  json::array groups;
  for (const auto& g : user.groups) groups.emplace_back(g);
  json::object review{
      {"apiVersion", "authorization.k8s.io/v1"},
      {"kind", "SubjectAccessReview"},
      {"spec", json::object{{"user", user.name},
                            {"uid", user.uid},
                            {"groups", groups},
                            {"resourceAttributes", json::object{{"verb", a.verb},
                                                                {"group", ""},
                                                                {"version", "v1"},
                                                                {"resource", "nodes"},
                                                                {"subresource", a.subresource},
                                                                {"name", a.nodeName}}}}}};
  auto answer = co_await client_.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                                         json::serialize(review), "application/json");
  if (!answer) co_return forbidden(answer.error().message);
  bool allowed = false;
  std::string reason;
  if (auto* status = answer->if_contains("status"); status && status->is_object()) {
    const auto& s = status->as_object();
    if (auto* v = s.if_contains("allowed"); v && v->is_bool()) allowed = v->as_bool();
    if (auto* r = s.if_contains("reason"); r && r->is_string()) reason = r->as_string();
  }
  {
    std::lock_guard lock(mutex_);
    decisions_[key] = DecisionEntry{allowed, reason, now + (allowed ? Clock::duration(kAllowedTtl)
                                                                    : Clock::duration(kDeniedTtl))};
  }
  if (allowed) co_return Result<void>{};
  co_return forbidden(reason);
}

}  // namespace kcpp::kubelet::server
