#include "kubelet/prober/cri_exec.h"

#include <algorithm>

namespace kcpp::kubelet::prober {

ExecFunction criExec(cri::RuntimeService& runtime) {
  return [&runtime](const std::string& containerId, const std::vector<std::string>& command,
                    std::chrono::milliseconds timeout) -> boost::asio::awaitable<Result<ExecResult>> {
    cri::v1::ExecSyncRequest req;
    req.set_container_id(containerId);
    for (const auto& part : command) req.add_cmd(part);
    req.set_timeout(std::max<std::int64_t>(1, (timeout.count() + 999) / 1000));
    auto answer = co_await runtime.execSync(req);
    if (!answer) {
      if (answer.error().reason == Reason::Timeout) co_return ExecResult{0, "", true};
      co_return std::move(answer).error();
    }
    co_return ExecResult{answer->exit_code(), answer->stdout() + answer->stderr(), false};
  };
}

}  // namespace kcpp::kubelet::prober
