#include "storage/sqlite/reader_pool.h"

namespace kcpp::storage::sqlite {

ReaderPool::ReaderPool(std::vector<Reader> readers) : readers_(std::move(readers)) {
  KCPP_CHECK(!readers_.empty(), "a ReaderPool needs at least one reader");
  for (auto& reader : readers_) threads_.emplace_back([this, &reader] { run(reader); });
}

ReaderPool::~ReaderPool() { close(); }

void ReaderPool::submit(ReadJob job) {
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  job(nullptr);
}

void ReaderPool::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void ReaderPool::run(Reader& reader) {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) return;  // closed and drained
    ReadJob job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job(&reader);
    lock.lock();
  }
}

}  // namespace kcpp::storage::sqlite
