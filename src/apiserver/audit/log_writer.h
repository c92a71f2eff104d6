#pragma once
// Where audit events go. LogWriter is upstream's log backend (--audit-log-path):
// one JSON object per line to a file ("-": stdout), rotated by size
// (--audit-log-maxsize MB) into <name>-<UTC time>.<ext> backups, of which it
// keeps --audit-log-maxbackup and none older than --audit-log-maxage days.
//
// Requests never wait for the disk: lines are queued and written by one writer
// thread in batches. When the queue holds more than `maxQueuedBytes` (the disk
// cannot keep up), further lines are dropped and counted, as upstream's
// buffered backend drops events when its buffer is full.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/error.h"

namespace kcpp::apiserver::audit {

class Sink {
 public:
  virtual ~Sink() = default;
  // Takes one encoded event (no newline); must not block on I/O.
  virtual void write(std::string line) = 0;
};

struct LogWriterOptions {
  std::string path;            // "-": stdout
  int maxSizeMegabytes = 0;    // 0: never rotate
  int maxBackups = 0;          // 0: keep every backup (unless maxAgeDays removes it)
  int maxAgeDays = 0;          // 0: no age limit
  std::size_t maxQueuedBytes = 64 * 1024 * 1024;
};

class LogWriter : public Sink {
 public:
  // Opens (creates, appends to) the file; the writer thread starts here.
  static Result<std::unique_ptr<LogWriter>> open(LogWriterOptions options);
  ~LogWriter() override;  // writes what is queued, then stops

  void write(std::string line) override;
  // Waits until every line queued so far is written (tests, shutdown).
  void flush();
  std::uint64_t dropped() const { return dropped_; }

 private:
  LogWriter(LogWriterOptions options, int fd, std::uint64_t size);
  void run();
  void writeBatch(const std::string& batch);
  void rotate();
  void removeOldBackups() const;

  LogWriterOptions options_;
  int fd_;
  std::uint64_t size_;  // bytes in the current file
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::string queued_;
  std::uint64_t queuedGeneration_ = 0;   // batches handed to the thread
  std::uint64_t writtenGeneration_ = 0;  // batches written
  bool stopping_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace kcpp::apiserver::audit
