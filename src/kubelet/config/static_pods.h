#pragma once
// Static pods from manifest files, as upstream's file source
// (pkg/kubelet/config/file.go, common.go applyDefaults): each file holds one
// Pod (YAML or JSON); the kubelet names it <name>-<nodeName>, gives it the
// namespace "default" when it has none, binds it to this node, and, unless the
// manifest sets a uid, derives the uid from a hash of the pod, the node and
// the file path, so that an edit makes a new pod. The uid is also the
// kubernetes.io/config.hash annotation. Static pods tolerate every NoExecute
// taint and start Pending.
//
// FileSource watches the directory (inotify, plus a poll every
// --file-check-frequency, 20 s, as upstream) and hands the whole set to a
// callback whenever it may have changed.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace kcpp::kubelet::config {

namespace json = boost::json;

// 32 hex digits of FNV-128a (upstream's hash for static pod uids).
std::string fnv128aHex(std::string_view data);

// Upstream's generatePodName: "<name>-<lowercased node name>".
std::string staticPodName(const std::string& name, const std::string& nodeName);

// One manifest's text → the static pod (defaults applied). BadRequest with
// the reason when the file is not a valid Pod.
Result<json::object> staticPodFromManifest(std::string_view text, const std::string& path,
                                           const std::string& nodeName);

class FileSource {
 public:
  using Handler = std::function<void(std::vector<json::object>)>;

  FileSource(boost::asio::any_io_executor executor, std::filesystem::path dir, std::string nodeName,
             Handler handler, std::chrono::milliseconds checkFrequency = std::chrono::seconds(20));
  ~FileSource();

  // Reads the directory now, then on every change and poll, until stop().
  boost::asio::awaitable<void> run();
  void stop();
  // Reads the directory and hands the set over (also what run() does on changes).
  void rescan();

 private:
  boost::asio::awaitable<void> watchLoop();

  boost::asio::any_io_executor executor_;
  std::filesystem::path dir_;
  std::string nodeName_;
  Handler handler_;
  std::chrono::milliseconds checkFrequency_;
  // Last good pod per file: a file caught half-written keeps its pod until it parses again.
  std::map<std::string, json::object> lastGood_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> inotify_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  bool stopped_ = false;
};

}  // namespace kcpp::kubelet::config
