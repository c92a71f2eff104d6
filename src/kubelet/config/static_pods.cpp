#include "kubelet/config/static_pods.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "api/defaults/pod_defaults.h"
#include "api/meta/object.h"
#include "apiserver/handlers/codec.h"
#include "kubelet/config/pod_config.h"

namespace kcpp::kubelet::config {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

Error invalid(const std::string& path, const std::string& why) {
  return makeError(Reason::BadRequest, "static pod manifest " + path + ": " + why);
}

bool hasContainers(const json::object& pod) {
  const json::value* c = api::findPath(pod, "spec.containers");
  return c && c->is_array() && !c->get_array().empty();
}

void addNoExecuteToleration(json::object& spec) {
  json::value& tolerations = spec["tolerations"];
  if (!tolerations.is_array()) tolerations = json::array{};
  json::object wanted{{"operator", "Exists"}, {"effect", "NoExecute"}};
  for (const auto& t : tolerations.get_array()) {
    if (t.is_object() && api::getString(t.get_object(), "operator") == "Exists" &&
        api::getString(t.get_object(), "effect") == "NoExecute" && !t.get_object().contains("key")) {
      return;
    }
  }
  tolerations.get_array().push_back(std::move(wanted));
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::string fnv128aHex(std::string_view data) {
  using u128 = unsigned __int128;
  const u128 prime = (static_cast<u128>(0x0000000001000000ULL) << 64) | 0x000000000000013BULL;
  u128 hash = (static_cast<u128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= prime;
  }
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(hash >> 64),
                static_cast<unsigned long long>(hash));
  return out;
}

std::string staticPodName(const std::string& name, const std::string& nodeName) {
  std::string node = nodeName;
  std::transform(node.begin(), node.end(), node.begin(), [](unsigned char c) { return std::tolower(c); });
  return name + "-" + node;
}

Result<json::object> staticPodFromManifest(std::string_view text, const std::string& path,
                                           const std::string& nodeName) {
  auto parsed = apiserver::yamlToJson(text);
  if (!parsed) return invalid(path, parsed.error().message);
  if (!parsed->is_object()) return invalid(path, "not an object");
  json::object pod = std::move(parsed->as_object());
  std::string_view kind = api::getString(pod, "kind");
  std::string_view apiVersion = api::getString(pod, "apiVersion");
  if (!kind.empty() && kind != "Pod") return invalid(path, "kind is \"" + std::string(kind) + "\", want \"Pod\"");
  if (!apiVersion.empty() && apiVersion != "v1") {
    return invalid(path, "apiVersion is \"" + std::string(apiVersion) + "\", want \"v1\"");
  }
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  json::object& metadata = api::ensureObject(pod, "metadata");
  std::string name(api::getString(metadata, "name"));
  if (name.empty()) return invalid(path, "metadata.name: Required value: name or generateName is required");
  if (!hasContainers(pod)) return invalid(path, "spec.containers: Required value");
  api::defaults::defaultPod(pod);
  // The uid: a hash of the pod as written, then the node and the file (common.go applyDefaults).
  if (api::getString(metadata, "uid").empty()) {
    std::string seed = json::serialize(pod) + "host:" + nodeName + "file:" + path;
    metadata["uid"] = fnv128aHex(seed);
  }
  std::string uid(api::getString(metadata, "uid"));
  metadata["name"] = staticPodName(name, nodeName);
  if (api::getString(metadata, "namespace").empty()) metadata["namespace"] = "default";
  json::object& spec = api::ensureObject(pod, "spec");
  spec["nodeName"] = nodeName;
  api::ensureObject(metadata, "annotations")[kConfigHashAnnotation] = uid;
  addNoExecuteToleration(spec);
  pod["status"] = json::object{{"phase", "Pending"}};
  return pod;
}

FileSource::FileSource(asio::any_io_executor executor, fs::path dir, std::string nodeName, Handler handler,
                       std::chrono::milliseconds checkFrequency)
    : executor_(executor),
      dir_(std::move(dir)),
      nodeName_(std::move(nodeName)),
      handler_(std::move(handler)),
      checkFrequency_(checkFrequency),
      timer_(std::make_unique<asio::steady_timer>(executor)) {}

FileSource::~FileSource() = default;

void FileSource::rescan() {
  std::map<std::string, json::object> found;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    std::string base = entry.path().filename().string();
    if (base.starts_with(".")) continue;  // upstream ignores hidden files (editors' swap files)
    if (!entry.is_regular_file(ec)) continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::string key = file.string();
    std::string text = readFile(file);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      // Empty: just created, or being rewritten. Keep what it last described.
      if (auto last = lastGood_.find(key); last != lastGood_.end()) found[key] = last->second;
      continue;
    }
    auto pod = staticPodFromManifest(text, key, nodeName_);
    if (pod) {
      found[key] = std::move(*pod);
    } else if (auto last = lastGood_.find(key); last != lastGood_.end()) {
      spdlog::warn("kubelet: {} (keeping the pod it last described)", pod.error().message);
      found[key] = last->second;
    } else {
      spdlog::warn("kubelet: {}", pod.error().message);
    }
  }
  lastGood_ = found;
  std::vector<json::object> pods;
  for (auto& [file, pod] : found) pods.push_back(std::move(pod));
  handler_(std::move(pods));
}

asio::awaitable<void> FileSource::run() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0 && inotify_add_watch(fd, dir_.c_str(), IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                                                          IN_MOVED_TO | IN_MOVED_FROM | IN_ATTRIB) >= 0) {
    inotify_ = std::make_unique<asio::posix::stream_descriptor>(executor_, fd);
    asio::co_spawn(executor_, watchLoop(), asio::detached);
  } else {
    if (fd >= 0) ::close(fd);
    spdlog::warn("kubelet: cannot watch {} with inotify; polling every {} ms", dir_.string(),
                 checkFrequency_.count());
  }
  while (!stopped_) {
    rescan();
    timer_->expires_after(checkFrequency_);
    boost::system::error_code wait;
    co_await timer_->async_wait(asio::redirect_error(asio::use_awaitable, wait));
  }
}

asio::awaitable<void> FileSource::watchLoop() {
  std::vector<char> buffer(64 * 1024);
  while (!stopped_ && inotify_) {
    boost::system::error_code ec;
    co_await inotify_->async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (ec || stopped_) break;
    // Any event: re-read the directory (cheap: a handful of small files).
    timer_->cancel();
  }
}

void FileSource::stop() {
  stopped_ = true;
  timer_->cancel();
  if (inotify_) {
    boost::system::error_code ec;
    inotify_->cancel(ec);
  }
}

}  // namespace kcpp::kubelet::config
