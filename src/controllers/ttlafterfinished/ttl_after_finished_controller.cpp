#include "controllers/ttlafterfinished/ttl_after_finished_controller.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "controllers/job/job_conditions.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace json = boost::json;
using client::ObjectPtr;

std::optional<Clock::TimePoint> jobExpiresAt(const json::object& job) {
  const json::value* ttl = api::findPath(job, "spec.ttlSecondsAfterFinished");
  if (!ttl || !ttl->is_int64() || api::findPath(job, "metadata.deletionTimestamp")) return std::nullopt;
  auto finished = jobFinished(job);
  if (!finished || !finished->at) return std::nullopt;
  return *finished->at + std::chrono::seconds(ttl->get_int64());
}

TtlAfterFinishedController::TtlAfterFinishedController(client::RestClient& client,
                                                       client::InformerFactory& informers,
                                                       asio::any_io_executor executor,
                                                       TtlAfterFinishedOptions options)
    : client_(client),
      jobs_(informers.forResource("batch", "v1", "jobs")),
      informers_(informers),
      executor_(executor),
      options_(std::move(options)),
      queue_(executor) {
  client::EventHandlers handlers;
  handlers.onAdd = [this](const ObjectPtr& j) { enqueueIfNeeded(*j); };
  handlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& j) { enqueueIfNeeded(*j); };
  jobs_.addHandlers(std::move(handlers));
}

void TtlAfterFinishedController::enqueueIfNeeded(const json::object& job) {
  if (jobExpiresAt(job)) queue_.add(client::objectKey(job));
}

asio::awaitable<void> TtlAfterFinishedController::run() {
  if (!co_await waitForCaches(informers_, executor_, "ttl-after-finished")) co_return;
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); },
                      "ttl-after-finished");
}

bool TtlAfterFinishedController::expired(const std::string& key, const json::object& job) {
  auto expiresAt = jobExpiresAt(job);
  if (!expiresAt) return false;
  auto now = options_.clock->now();
  if (now >= *expiresAt) return true;
  queue_.addAfter(key, std::chrono::duration_cast<std::chrono::milliseconds>(*expiresAt - now) +
                           std::chrono::milliseconds(10));
  return false;
}

asio::awaitable<Result<void>> TtlAfterFinishedController::sync(const std::string& key) {
  ObjectPtr cached = jobs_.get(key);
  if (!cached || !expired(key, *cached)) co_return Result<void>{};
  // The cache may be behind: the TTL may have been changed or the Job
  // recreated. Decide on the server's copy.
  client::ResourcePath path{"batch", "v1", "jobs", std::string(api::metaNamespace(*cached)),
                            std::string(api::metaName(*cached)), "", ""};
  auto fresh = co_await client_.get(path);
  if (!fresh) {
    if (fresh.error().reason == Reason::NotFound) co_return Result<void>{};
    co_return std::move(fresh).error();
  }
  if (!expired(key, *fresh)) co_return Result<void>{};
  const json::object* meta = api::findObject(*fresh, "metadata");
  json::object options{{"propagationPolicy", "Foreground"}};
  options["preconditions"] = json::object{{"uid", meta ? api::getString(*meta, "uid") : ""}};
  spdlog::debug("ttl-after-finished: cleaning up Job {}", key);
  auto deleted = co_await client_.remove(path, options);
  if (!deleted && deleted.error().reason != Reason::NotFound) co_return std::move(deleted).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
