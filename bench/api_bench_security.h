#pragma once
// The API benchmark's "security" scenario: what authentication, RBAC and admission
// cost a create, as the issue measures it. In one run, two servers (audit log off,
// then on) each get 1,000 RoleBindings and 100 ClusterRoleBindings; then rounds of
// 32-client ConfigMap creates alternate between the admin (client certificate,
// system:masters: the authorizer allows at once) and a bearer-token user allowed
// only by one RoleBinding among the 1,000. The rows give both rates, the overhead
// (target: at most 15 %) and the audit log's cost.

#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "api_bench_load.h"
#include "api_bench_report.h"

namespace kcpp::bench {

asio::awaitable<void> securityScenario(const Options& o, const std::filesystem::path& root,
                                       Report& report, ErrorLog& errors,
                                       std::vector<std::string>& problems);

}  // namespace kcpp::bench
