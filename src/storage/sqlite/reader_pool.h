#pragma once
// ReaderPool: threads that each own a Reader (its own SQLite connection) and run
// read jobs from one shared queue, so reads never block a caller's executor and
// run in parallel with the writer (WAL readers do not wait for writers).

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "storage/sqlite/sqlite_reader.h"

namespace kcpp::storage::sqlite {

// A move-only job: called once, with a Reader, or with nullptr when the pool is
// closed (the job must still complete its caller).
class ReadJob {
 public:
  template <class F>
  explicit ReadJob(F f) : impl_(std::make_unique<Impl<F>>(std::move(f))) {}
  void operator()(Reader* reader) { impl_->run(reader); }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void run(Reader* reader) = 0;
  };
  template <class F>
  struct Impl : Base {
    explicit Impl(F fn) : f(std::move(fn)) {}
    void run(Reader* reader) override { f(reader); }
    F f;
  };
  std::unique_ptr<Base> impl_;
};

class ReaderPool {
 public:
  explicit ReaderPool(std::vector<Reader> readers);
  ~ReaderPool();
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  void submit(ReadJob job);
  // Runs the jobs already queued, then stops the threads.
  void close();

 private:
  void run(Reader& reader);

  std::vector<Reader> readers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<ReadJob> queue_;
  bool closed_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace kcpp::storage::sqlite
