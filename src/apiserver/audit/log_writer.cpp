#include "apiserver/audit/log_writer.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace kcpp::apiserver::audit {

namespace fs = std::filesystem;

namespace {

bool isStdout(const std::string& path) { return path == "-"; }

Result<int> openForAppend(const std::string& path) {
  if (isStdout(path)) return STDOUT_FILENO;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return makeError(Reason::InternalError,
                     "audit log " + path + ": " + std::string(std::strerror(errno)));
  }
  return fd;
}

// "audit.log" rotated at t → "audit-2024-05-01T10-00-00.123.log", as upstream's
// lumberjack names backups (UTC).
std::string backupName(const std::string& path, std::chrono::system_clock::time_point t) {
  fs::path p(path);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char stamp[96];  // sized for any int the format could print
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d-%02d-%02d.%03lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(millis % 1000));
  std::string name = p.stem().string() + "-" + stamp + p.extension().string();
  return (p.parent_path() / name).string();
}

bool isBackupOf(const fs::path& candidate, const fs::path& log) {
  std::string name = candidate.filename().string();
  std::string prefix = log.stem().string() + "-";
  std::string ext = log.extension().string();
  return name.starts_with(prefix) && name.ends_with(ext) &&
         name.size() == prefix.size() + 23 + ext.size();  // 2024-05-01T10-00-00.123
}

}  // namespace

Result<std::unique_ptr<LogWriter>> LogWriter::open(LogWriterOptions options) {
  auto fd = openForAppend(options.path);
  if (!fd) return std::move(fd).error();
  std::uint64_t size = 0;
  struct stat st {};
  if (!isStdout(options.path) && ::fstat(*fd, &st) == 0) size = static_cast<std::uint64_t>(st.st_size);
  return std::unique_ptr<LogWriter>(new LogWriter(std::move(options), *fd, size));
}

LogWriter::LogWriter(LogWriterOptions options, int fd, std::uint64_t size)
    : options_(std::move(options)), fd_(fd), size_(size), thread_([this] { run(); }) {}

LogWriter::~LogWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (!isStdout(options_.path)) ::close(fd_);
}

void LogWriter::write(std::string line) {
  {
    std::lock_guard lock(mu_);
    if (queued_.size() + line.size() > options_.maxQueuedBytes) {
      if (dropped_++ % 10000 == 0) spdlog::warn("audit log cannot keep up: dropping events");
      return;
    }
    bool wasEmpty = queued_.empty();
    queued_ += line;
    queued_ += '\n';
    if (!wasEmpty) return;  // the writer is already woken for this batch
  }
  wake_.notify_one();
}

void LogWriter::flush() {
  std::unique_lock lock(mu_);
  std::uint64_t target = queued_.empty() ? queuedGeneration_ : queuedGeneration_ + 1;
  wake_.notify_one();
  drained_.wait(lock, [&] { return writtenGeneration_ >= target; });
}

void LogWriter::run() {
  std::string batch;
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
    if (queued_.empty() && stopping_) return;
    batch.clear();
    batch.swap(queued_);
    ++queuedGeneration_;
    lock.unlock();
    writeBatch(batch);
    lock.lock();
    writtenGeneration_ = queuedGeneration_;
    drained_.notify_all();
  }
}

void LogWriter::writeBatch(const std::string& batch) {
  std::uint64_t limit = static_cast<std::uint64_t>(options_.maxSizeMegabytes) * 1024 * 1024;
  if (limit > 0 && size_ > 0 && size_ + batch.size() > limit) rotate();
  const char* p = batch.data();
  std::size_t left = batch.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      spdlog::error("audit log {}: {}", options_.path, std::strerror(errno));
      return;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  size_ += batch.size();
}

void LogWriter::rotate() {
  if (isStdout(options_.path)) return;
  std::error_code ec;
  fs::rename(options_.path, backupName(options_.path, std::chrono::system_clock::now()), ec);
  if (ec) spdlog::error("audit log rotation of {}: {}", options_.path, ec.message());
  auto fd = openForAppend(options_.path);
  if (!fd) {
    spdlog::error("{}", fd.error().message);
    return;  // keep writing to the renamed file rather than lose events
  }
  ::close(fd_);
  fd_ = *fd;
  size_ = 0;
  removeOldBackups();
}

void LogWriter::removeOldBackups() const {
  fs::path log(options_.path);
  fs::path dir = log.parent_path().empty() ? fs::path(".") : log.parent_path();
  std::vector<fs::path> backups;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (isBackupOf(entry.path(), log)) backups.push_back(entry.path());
  }
  // The timestamp in the name sorts oldest first.
  std::sort(backups.begin(), backups.end());
  std::size_t keepFrom = 0;
  if (options_.maxBackups > 0 && backups.size() > static_cast<std::size_t>(options_.maxBackups)) {
    keepFrom = backups.size() - static_cast<std::size_t>(options_.maxBackups);
  }
  auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(24) * options_.maxAgeDays;
  for (std::size_t i = 0; i < backups.size(); ++i) {
    bool tooOld = options_.maxAgeDays > 0 && fs::last_write_time(backups[i], ec) < cutoff;
    if (i < keepFrom || tooOld) fs::remove(backups[i], ec);
  }
}

}  // namespace kcpp::apiserver::audit
