#pragma once
// Completion<T>: the caller's half of an asynchronous operation that a backend
// thread finishes. It holds the caller's completion handler and keeps the caller's
// executor busy (outstanding work), so an io_context does not run out of work
// while the operation is in flight; complete() resumes the caller on its own
// executor, never on the backend thread.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <utility>

#include "util/error.h"

namespace kcpp::storage::sqlite {

template <class T>
class Completion {
 public:
  using Signature = void(Result<T>);

  Completion() = default;
  template <class Handler>
  explicit Completion(Handler handler)
      : executor_(boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                      boost::asio::execution::outstanding_work.tracked)),
        handler_(std::move(handler)) {}

  explicit operator bool() const { return static_cast<bool>(handler_); }

  // Callable from any thread, once.
  void complete(Result<T> result) {
    auto executor = std::move(executor_);
    boost::asio::post(executor, [handler = std::move(handler_), result = std::move(result)]() mutable {
      std::move(handler)(std::move(result));
    });
  }

 private:
  // any_io_executor, not any_completion_executor: in Boost 1.81 only the former
  // supports the blocking.never that post() requires.
  boost::asio::any_io_executor executor_;
  boost::asio::any_completion_handler<Signature> handler_;
};

}  // namespace kcpp::storage::sqlite
