#include "kubelet/cri/fake_runtime_service.h"

#include <chrono>
#include <cstdio>
#include <functional>

namespace kcpp::kubelet::cri {
namespace {

std::int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

Error notFound(const std::string& what, const std::string& id) {
  return makeError(Reason::NotFound,
                   "rpc error: code = NotFound desc = an error occurred when try to find " + what + " \"" + id +
                       "\": not found");
}

Error failedPrecondition(const std::string& message) {
  return makeError(Reason::Conflict, "rpc error: code = FailedPrecondition desc = " + message);
}

template <class Map>
bool labelsMatch(const Map& labels, const Map& selector) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

std::string fakeDigest(const std::string& seed) {
  char buf[17];
  std::string hex;
  for (int i = 0; i < 4; ++i) {
    std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(seed + char('0' + i)));
    hex += buf;
  }
  return "sha256:" + hex;
}

}  // namespace

FakeRuntimeService::FakeRuntimeService() {
  execHandler_ = [](const v1::ContainerStatus&, const v1::ExecSyncRequest&) { return v1::ExecSyncResponse(); };
}

// ---- Test controls ------------------------------------------------------------

void FakeRuntimeService::injectError(const std::string& rpc, Error error, int times) {
  std::lock_guard lock(mu_);
  errors_[rpc].emplace_back(std::move(error), times);
}

void FakeRuntimeService::clearErrors() {
  std::lock_guard lock(mu_);
  errors_.clear();
}

std::vector<std::string> FakeRuntimeService::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

int FakeRuntimeService::callCount(const std::string& rpc) const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& c : calls_) n += c == rpc;
  return n;
}

void FakeRuntimeService::clearCalls() {
  std::lock_guard lock(mu_);
  calls_.clear();
}

void FakeRuntimeService::addImage(const std::string& ref, std::uint64_t size) {
  std::lock_guard lock(mu_);
  std::string name = normaliseImageRef(ref);
  if (findImage(name)) return;
  v1::Image image;
  image.set_id(fakeDigest(name));
  image.add_repo_tags(name);
  image.add_repo_digests(name.substr(0, name.rfind(':')) + "@" + fakeDigest("digest:" + name));
  image.set_size(size);
  image.mutable_spec()->set_image(image.id());
  images_[image.id()] = image;
}

void FakeRuntimeService::exitContainer(const std::string& containerId, int exitCode, const std::string& reason) {
  std::lock_guard lock(mu_);
  auto it = containers_.find(containerId);
  KCPP_CHECK(it != containers_.end(), "exitContainer of an unknown container");
  exitLocked(it->second, exitCode, reason);
}

void FakeRuntimeService::exitOnStart(const std::string& containerName, int exitCode, const std::string& reason) {
  std::lock_guard lock(mu_);
  exitOnStart_[containerName] = ExitRule{exitCode, reason};
}

void FakeRuntimeService::setStopExitCode(int exitCode) {
  std::lock_guard lock(mu_);
  stopExitCode_ = exitCode;
}

void FakeRuntimeService::setExecHandler(ExecHandler handler) {
  std::lock_guard lock(mu_);
  execHandler_ = std::move(handler);
}

std::vector<v1::PodSandboxStatus> FakeRuntimeService::sandboxes() const {
  std::lock_guard lock(mu_);
  std::vector<v1::PodSandboxStatus> out;
  for (const auto& [id, s] : sandboxes_) out.push_back(s.status);
  return out;
}

std::vector<v1::ContainerStatus> FakeRuntimeService::containers() const {
  std::lock_guard lock(mu_);
  std::vector<v1::ContainerStatus> out;
  for (const auto& [id, c] : containers_) out.push_back(c);
  return out;
}

std::optional<v1::ContainerStatus> FakeRuntimeService::findContainer(const std::string& sandboxId,
                                                                    const std::string& name) const {
  std::lock_guard lock(mu_);
  std::optional<v1::ContainerStatus> newest;
  for (const auto& [id, c] : containers_) {
    if (containerSandbox_.at(id) != sandboxId || c.metadata().name() != name) continue;
    if (!newest || c.created_at() >= newest->created_at()) newest = c;
  }
  return newest;
}

std::string FakeRuntimeService::normaliseImageRef(const std::string& ref) {
  if (ref.starts_with("sha256:")) return ref;
  std::string name = ref;
  auto slash = name.find('/');
  std::string first = slash == std::string::npos ? "" : name.substr(0, slash);
  bool hasDomain = !first.empty() && (first.find('.') != std::string::npos ||
                                      first.find(':') != std::string::npos || first == "localhost");
  if (slash == std::string::npos) name = "docker.io/library/" + name;
  else if (!hasDomain) name = "docker.io/" + name;
  auto lastSlash = name.rfind('/');
  bool tagged = name.find(':', lastSlash) != std::string::npos || name.find('@') != std::string::npos;
  if (!tagged) name += ":latest";
  return name;
}

// ---- Internals ----------------------------------------------------------------

std::optional<Error> FakeRuntimeService::enter(const char* rpc) {
  calls_.emplace_back(rpc);
  auto it = errors_.find(rpc);
  if (it == errors_.end() || it->second.empty()) return std::nullopt;
  auto& [error, times] = it->second.front();
  Error out = error;
  if (times > 0 && --times == 0) it->second.erase(it->second.begin());
  return out;
}

std::string FakeRuntimeService::nextId(const char* prefix) {
  return fakeDigest(std::string(prefix) + std::to_string(++nextId_)).substr(7);
}

const v1::Image* FakeRuntimeService::findImage(const std::string& ref) const {
  if (auto it = images_.find(ref); it != images_.end()) return &it->second;
  std::string name = normaliseImageRef(ref);
  for (const auto& [id, image] : images_) {
    for (const auto& tag : image.repo_tags()) if (tag == name) return &image;
    for (const auto& digest : image.repo_digests()) if (digest == name || digest == ref) return &image;
  }
  return nullptr;
}

void FakeRuntimeService::exitLocked(v1::ContainerStatus& c, int exitCode, const std::string& reason) {
  c.set_state(v1::CONTAINER_EXITED);
  c.set_finished_at(nowNanos());
  if (c.started_at() == 0) c.set_started_at(c.finished_at());
  c.set_exit_code(exitCode);
  c.set_reason(!reason.empty() ? reason : exitCode == 0 ? "Completed" : "Error");
}

v1::ContainerStats FakeRuntimeService::statsOf(const v1::ContainerStatus& c) const {
  v1::ContainerStats stats;
  auto* attrs = stats.mutable_attributes();
  attrs->set_id(c.id());
  *attrs->mutable_metadata() = c.metadata();
  *attrs->mutable_labels() = c.labels();
  *attrs->mutable_annotations() = c.annotations();
  std::int64_t now = nowNanos();
  stats.mutable_cpu()->set_timestamp(now);
  stats.mutable_cpu()->mutable_usage_core_nano_seconds()->set_value(0);
  stats.mutable_memory()->set_timestamp(now);
  stats.mutable_memory()->mutable_working_set_bytes()->set_value(0);
  stats.mutable_writable_layer()->set_timestamp(now);
  stats.mutable_writable_layer()->mutable_used_bytes()->set_value(0);
  return stats;
}

// ---- RuntimeService -----------------------------------------------------------

#define KCPP_FAKE_ENTER(rpc)                    \
  std::lock_guard lock(mu_);                    \
  if (auto injected = enter(rpc)) co_return *injected

Awaitable<Result<v1::VersionResponse>> FakeRuntimeService::version(const v1::VersionRequest&) {
  KCPP_FAKE_ENTER("Version");
  v1::VersionResponse resp;
  resp.set_version("0.1.0");
  resp.set_runtime_name("fake");
  resp.set_runtime_version("0.1.0");
  resp.set_runtime_api_version("v1");
  co_return resp;
}

Awaitable<Result<v1::StatusResponse>> FakeRuntimeService::status(const v1::StatusRequest&) {
  KCPP_FAKE_ENTER("Status");
  v1::StatusResponse resp;
  for (const char* type : {"RuntimeReady", "NetworkReady"}) {
    auto* cond = resp.mutable_status()->add_conditions();
    cond->set_type(type);
    cond->set_status(true);
  }
  co_return resp;
}

Awaitable<Result<v1::UpdateRuntimeConfigResponse>> FakeRuntimeService::updateRuntimeConfig(
    const v1::UpdateRuntimeConfigRequest&) {
  KCPP_FAKE_ENTER("UpdateRuntimeConfig");
  co_return v1::UpdateRuntimeConfigResponse();
}

Awaitable<Result<v1::RunPodSandboxResponse>> FakeRuntimeService::runPodSandbox(const v1::RunPodSandboxRequest& req) {
  KCPP_FAKE_ENTER("RunPodSandbox");
  Sandbox sb;
  sb.config = req.config();
  auto& st = sb.status;
  st.set_id(nextId("sandbox"));
  *st.mutable_metadata() = req.config().metadata();
  st.set_state(v1::SANDBOX_READY);
  st.set_created_at(nowNanos());
  auto hostNetwork = req.config().linux().security_context().namespace_options().network() == v1::NODE;
  if (!hostNetwork) st.mutable_network()->set_ip("10.88.0." + std::to_string(nextIp_++));
  *st.mutable_labels() = req.config().labels();
  *st.mutable_annotations() = req.config().annotations();
  st.set_runtime_handler(req.runtime_handler());
  v1::RunPodSandboxResponse resp;
  resp.set_pod_sandbox_id(st.id());
  sandboxes_[st.id()] = std::move(sb);
  co_return resp;
}

Awaitable<Result<v1::StopPodSandboxResponse>> FakeRuntimeService::stopPodSandbox(
    const v1::StopPodSandboxRequest& req) {
  KCPP_FAKE_ENTER("StopPodSandbox");
  auto it = sandboxes_.find(req.pod_sandbox_id());
  if (it == sandboxes_.end()) co_return notFound("sandbox", req.pod_sandbox_id());
  for (auto& [id, c] : containers_) {
    if (containerSandbox_[id] == it->first && c.state() == v1::CONTAINER_RUNNING) exitLocked(c, 137, "Error");
  }
  it->second.status.set_state(v1::SANDBOX_NOTREADY);
  co_return v1::StopPodSandboxResponse();
}

Awaitable<Result<v1::RemovePodSandboxResponse>> FakeRuntimeService::removePodSandbox(
    const v1::RemovePodSandboxRequest& req) {
  KCPP_FAKE_ENTER("RemovePodSandbox");
  auto it = sandboxes_.find(req.pod_sandbox_id());
  if (it == sandboxes_.end()) co_return v1::RemovePodSandboxResponse();  // idempotent
  if (it->second.status.state() == v1::SANDBOX_READY) {
    co_return failedPrecondition("sandbox container \"" + it->first + "\" is not fully stopped");
  }
  for (auto c = containerSandbox_.begin(); c != containerSandbox_.end();) {
    if (c->second == it->first) {
      containers_.erase(c->first);
      c = containerSandbox_.erase(c);
    } else {
      ++c;
    }
  }
  sandboxes_.erase(it);
  co_return v1::RemovePodSandboxResponse();
}

Awaitable<Result<v1::PodSandboxStatusResponse>> FakeRuntimeService::podSandboxStatus(
    const v1::PodSandboxStatusRequest& req) {
  KCPP_FAKE_ENTER("PodSandboxStatus");
  auto it = sandboxes_.find(req.pod_sandbox_id());
  if (it == sandboxes_.end()) co_return notFound("sandbox", req.pod_sandbox_id());
  v1::PodSandboxStatusResponse resp;
  *resp.mutable_status() = it->second.status;
  resp.set_timestamp(nowNanos());
  co_return resp;
}

Awaitable<Result<v1::ListPodSandboxResponse>> FakeRuntimeService::listPodSandbox(
    const v1::ListPodSandboxRequest& req) {
  KCPP_FAKE_ENTER("ListPodSandbox");
  const auto& f = req.filter();
  v1::ListPodSandboxResponse resp;
  for (const auto& [id, sb] : sandboxes_) {
    const auto& st = sb.status;
    if (!f.id().empty() && f.id() != id) continue;
    if (f.has_state() && f.state().state() != st.state()) continue;
    if (!labelsMatch(st.labels(), f.label_selector())) continue;
    auto* item = resp.add_items();
    item->set_id(id);
    *item->mutable_metadata() = st.metadata();
    item->set_state(st.state());
    item->set_created_at(st.created_at());
    *item->mutable_labels() = st.labels();
    *item->mutable_annotations() = st.annotations();
    item->set_runtime_handler(st.runtime_handler());
  }
  co_return resp;
}

Awaitable<Result<v1::CreateContainerResponse>> FakeRuntimeService::createContainer(
    const v1::CreateContainerRequest& req) {
  KCPP_FAKE_ENTER("CreateContainer");
  auto sb = sandboxes_.find(req.pod_sandbox_id());
  if (sb == sandboxes_.end()) co_return notFound("sandbox", req.pod_sandbox_id());
  if (sb->second.status.state() != v1::SANDBOX_READY) {
    co_return failedPrecondition("sandbox container \"" + sb->first + "\" is not running");
  }
  const auto& cfg = req.config();
  const v1::Image* image = findImage(cfg.image().image());
  if (!image) co_return notFound("image", cfg.image().image());
  v1::ContainerStatus c;
  c.set_id(nextId("container"));
  *c.mutable_metadata() = cfg.metadata();
  c.set_state(v1::CONTAINER_CREATED);
  c.set_created_at(nowNanos());
  *c.mutable_image() = cfg.image();
  c.set_image_ref(image->id());
  c.set_image_id(image->id());
  *c.mutable_labels() = cfg.labels();
  *c.mutable_annotations() = cfg.annotations();
  *c.mutable_mounts() = cfg.mounts();
  c.set_log_path(sb->second.config.log_directory().empty() ? cfg.log_path()
                                                           : sb->second.config.log_directory() + "/" + cfg.log_path());
  if (cfg.linux().has_resources()) *c.mutable_resources()->mutable_linux() = cfg.linux().resources();
  containerSandbox_[c.id()] = sb->first;
  v1::CreateContainerResponse resp;
  resp.set_container_id(c.id());
  containers_[c.id()] = std::move(c);
  co_return resp;
}

Awaitable<Result<v1::StartContainerResponse>> FakeRuntimeService::startContainer(
    const v1::StartContainerRequest& req) {
  KCPP_FAKE_ENTER("StartContainer");
  auto it = containers_.find(req.container_id());
  if (it == containers_.end()) co_return notFound("container", req.container_id());
  auto& c = it->second;
  if (c.state() != v1::CONTAINER_CREATED) {
    co_return failedPrecondition("container " + c.id() + " is not in created state");
  }
  c.set_state(v1::CONTAINER_RUNNING);
  c.set_started_at(nowNanos());
  if (auto rule = exitOnStart_.find(c.metadata().name()); rule != exitOnStart_.end()) {
    exitLocked(c, rule->second.exitCode, rule->second.reason);
  }
  co_return v1::StartContainerResponse();
}

Awaitable<Result<v1::StopContainerResponse>> FakeRuntimeService::stopContainer(const v1::StopContainerRequest& req) {
  KCPP_FAKE_ENTER("StopContainer");
  auto it = containers_.find(req.container_id());
  if (it == containers_.end()) co_return notFound("container", req.container_id());
  if (it->second.state() == v1::CONTAINER_RUNNING) exitLocked(it->second, stopExitCode_, "");
  else if (it->second.state() == v1::CONTAINER_CREATED) exitLocked(it->second, 0, "");
  co_return v1::StopContainerResponse();
}

Awaitable<Result<v1::RemoveContainerResponse>> FakeRuntimeService::removeContainer(
    const v1::RemoveContainerRequest& req) {
  KCPP_FAKE_ENTER("RemoveContainer");
  auto it = containers_.find(req.container_id());
  if (it == containers_.end()) co_return v1::RemoveContainerResponse();  // idempotent
  if (it->second.state() == v1::CONTAINER_RUNNING) {
    co_return failedPrecondition("container " + it->first + " must be in Exited or Unknown state");
  }
  containerSandbox_.erase(it->first);
  containers_.erase(it);
  co_return v1::RemoveContainerResponse();
}

Awaitable<Result<v1::ListContainersResponse>> FakeRuntimeService::listContainers(
    const v1::ListContainersRequest& req) {
  KCPP_FAKE_ENTER("ListContainers");
  const auto& f = req.filter();
  v1::ListContainersResponse resp;
  for (const auto& [id, c] : containers_) {
    const std::string& sandboxId = containerSandbox_[id];
    if (!f.id().empty() && f.id() != id) continue;
    if (!f.pod_sandbox_id().empty() && f.pod_sandbox_id() != sandboxId) continue;
    if (f.has_state() && f.state().state() != c.state()) continue;
    if (!labelsMatch(c.labels(), f.label_selector())) continue;
    auto* item = resp.add_containers();
    item->set_id(id);
    item->set_pod_sandbox_id(sandboxId);
    *item->mutable_metadata() = c.metadata();
    *item->mutable_image() = c.image();
    item->set_image_ref(c.image_ref());
    item->set_image_id(c.image_id());
    item->set_state(c.state());
    item->set_created_at(c.created_at());
    *item->mutable_labels() = c.labels();
    *item->mutable_annotations() = c.annotations();
  }
  co_return resp;
}

Awaitable<Result<v1::ContainerStatusResponse>> FakeRuntimeService::containerStatus(
    const v1::ContainerStatusRequest& req) {
  KCPP_FAKE_ENTER("ContainerStatus");
  auto it = containers_.find(req.container_id());
  if (it == containers_.end()) co_return notFound("container", req.container_id());
  v1::ContainerStatusResponse resp;
  *resp.mutable_status() = it->second;
  co_return resp;
}

Awaitable<Result<v1::UpdateContainerResourcesResponse>> FakeRuntimeService::updateContainerResources(
    const v1::UpdateContainerResourcesRequest& req) {
  KCPP_FAKE_ENTER("UpdateContainerResources");
  auto it = containers_.find(req.container_id());
  if (it == containers_.end()) co_return notFound("container", req.container_id());
  *it->second.mutable_resources()->mutable_linux() = req.linux();
  co_return v1::UpdateContainerResourcesResponse();
}

Awaitable<Result<v1::ReopenContainerLogResponse>> FakeRuntimeService::reopenContainerLog(
    const v1::ReopenContainerLogRequest& req) {
  KCPP_FAKE_ENTER("ReopenContainerLog");
  auto it = containers_.find(req.container_id());
  if (it == containers_.end()) co_return notFound("container", req.container_id());
  if (it->second.state() != v1::CONTAINER_RUNNING) co_return failedPrecondition("container is not running");
  co_return v1::ReopenContainerLogResponse();
}

Awaitable<Result<v1::ExecSyncResponse>> FakeRuntimeService::execSync(const v1::ExecSyncRequest& req) {
  KCPP_FAKE_ENTER("ExecSync");
  auto it = containers_.find(req.container_id());
  if (it == containers_.end()) co_return notFound("container", req.container_id());
  if (it->second.state() != v1::CONTAINER_RUNNING) {
    co_return failedPrecondition("container is in CONTAINER_EXITED state");
  }
  co_return execHandler_(it->second, req);
}

Awaitable<Result<v1::ExecResponse>> FakeRuntimeService::exec(const v1::ExecRequest& req) {
  KCPP_FAKE_ENTER("Exec");
  if (!containers_.count(req.container_id())) co_return notFound("container", req.container_id());
  v1::ExecResponse resp;
  resp.set_url("http://127.0.0.1:10010/exec/" + req.container_id());
  co_return resp;
}

Awaitable<Result<v1::AttachResponse>> FakeRuntimeService::attach(const v1::AttachRequest& req) {
  KCPP_FAKE_ENTER("Attach");
  if (!containers_.count(req.container_id())) co_return notFound("container", req.container_id());
  v1::AttachResponse resp;
  resp.set_url("http://127.0.0.1:10010/attach/" + req.container_id());
  co_return resp;
}

Awaitable<Result<v1::PortForwardResponse>> FakeRuntimeService::portForward(const v1::PortForwardRequest& req) {
  KCPP_FAKE_ENTER("PortForward");
  if (!sandboxes_.count(req.pod_sandbox_id())) co_return notFound("sandbox", req.pod_sandbox_id());
  v1::PortForwardResponse resp;
  resp.set_url("http://127.0.0.1:10010/portforward/" + req.pod_sandbox_id());
  co_return resp;
}

Awaitable<Result<v1::ContainerStatsResponse>> FakeRuntimeService::containerStats(
    const v1::ContainerStatsRequest& req) {
  KCPP_FAKE_ENTER("ContainerStats");
  auto it = containers_.find(req.container_id());
  if (it == containers_.end()) co_return notFound("container", req.container_id());
  v1::ContainerStatsResponse resp;
  *resp.mutable_stats() = statsOf(it->second);
  co_return resp;
}

Awaitable<Result<v1::ListContainerStatsResponse>> FakeRuntimeService::listContainerStats(
    const v1::ListContainerStatsRequest& req) {
  KCPP_FAKE_ENTER("ListContainerStats");
  const auto& f = req.filter();
  v1::ListContainerStatsResponse resp;
  for (const auto& [id, c] : containers_) {
    if (!f.id().empty() && f.id() != id) continue;
    if (!f.pod_sandbox_id().empty() && f.pod_sandbox_id() != containerSandbox_[id]) continue;
    if (!labelsMatch(c.labels(), f.label_selector())) continue;
    *resp.add_stats() = statsOf(c);
  }
  co_return resp;
}

Awaitable<Result<v1::PodSandboxStatsResponse>> FakeRuntimeService::podSandboxStats(
    const v1::PodSandboxStatsRequest& req) {
  KCPP_FAKE_ENTER("PodSandboxStats");
  auto it = sandboxes_.find(req.pod_sandbox_id());
  if (it == sandboxes_.end()) co_return notFound("sandbox", req.pod_sandbox_id());
  v1::PodSandboxStatsResponse resp;
  auto* attrs = resp.mutable_stats()->mutable_attributes();
  attrs->set_id(it->first);
  *attrs->mutable_metadata() = it->second.status.metadata();
  *attrs->mutable_labels() = it->second.status.labels();
  for (const auto& [id, c] : containers_) {
    if (containerSandbox_[id] == it->first) *resp.mutable_stats()->mutable_linux()->add_containers() = statsOf(c);
  }
  co_return resp;
}

Awaitable<Result<v1::ListPodSandboxStatsResponse>> FakeRuntimeService::listPodSandboxStats(
    const v1::ListPodSandboxStatsRequest& req) {
  KCPP_FAKE_ENTER("ListPodSandboxStats");
  v1::ListPodSandboxStatsResponse resp;
  for (const auto& [id, sb] : sandboxes_) {
    if (!req.filter().id().empty() && req.filter().id() != id) continue;
    if (!labelsMatch(sb.status.labels(), req.filter().label_selector())) continue;
    auto* stats = resp.add_stats();
    stats->mutable_attributes()->set_id(id);
    *stats->mutable_attributes()->mutable_metadata() = sb.status.metadata();
    *stats->mutable_attributes()->mutable_labels() = sb.status.labels();
  }
  co_return resp;
}

// ---- ImageService -------------------------------------------------------------

Awaitable<Result<v1::ListImagesResponse>> FakeRuntimeService::listImages(const v1::ListImagesRequest& req) {
  KCPP_FAKE_ENTER("ListImages");
  v1::ListImagesResponse resp;
  const std::string& wanted = req.filter().image().image();
  const v1::Image* only = wanted.empty() ? nullptr : findImage(wanted);
  for (const auto& [id, image] : images_) {
    if (wanted.empty() || only == &image) *resp.add_images() = image;
  }
  co_return resp;
}

Awaitable<Result<v1::ImageStatusResponse>> FakeRuntimeService::imageStatus(const v1::ImageStatusRequest& req) {
  KCPP_FAKE_ENTER("ImageStatus");
  v1::ImageStatusResponse resp;
  if (const v1::Image* image = findImage(req.image().image())) *resp.mutable_image() = *image;
  co_return resp;
}

Awaitable<Result<v1::PullImageResponse>> FakeRuntimeService::pullImage(const v1::PullImageRequest& req) {
  {
    KCPP_FAKE_ENTER("PullImage");
  }
  addImage(req.image().image());
  std::lock_guard lock(mu_);
  v1::PullImageResponse resp;
  resp.set_image_ref(findImage(req.image().image())->id());
  co_return resp;
}

Awaitable<Result<v1::RemoveImageResponse>> FakeRuntimeService::removeImage(const v1::RemoveImageRequest& req) {
  KCPP_FAKE_ENTER("RemoveImage");
  if (const v1::Image* image = findImage(req.image().image())) images_.erase(image->id());
  co_return v1::RemoveImageResponse();
}

Awaitable<Result<v1::ImageFsInfoResponse>> FakeRuntimeService::imageFsInfo(const v1::ImageFsInfoRequest&) {
  KCPP_FAKE_ENTER("ImageFsInfo");
  v1::ImageFsInfoResponse resp;
  auto* fs = resp.add_image_filesystems();
  fs->set_timestamp(nowNanos());
  fs->mutable_fs_id()->set_mountpoint("/var/lib/fake/io.containerd.snapshotter.v1.overlayfs");
  std::uint64_t used = 0;
  for (const auto& [id, image] : images_) used += image.size();
  fs->mutable_used_bytes()->set_value(used);
  fs->mutable_inodes_used()->set_value(images_.size());
  co_return resp;
}

#undef KCPP_FAKE_ENTER

}  // namespace kcpp::kubelet::cri
