#pragma once
// The one error model of kcpp (see docs/errors.md).
//
// Every fallible operation returns Result<T>: either a value or an Error. An Error
// is already shaped like a Kubernetes Status (HTTP code, reason, message, causes),
// so it travels unchanged from the layer that detects it (storage, validation,
// admission) to the wire. Exceptions never cross a component boundary; a broken
// invariant is a crash (KCPP_CHECK), not an Error.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace kcpp {

// Kubernetes StatusReason values (metav1.StatusReason) with their HTTP codes.
enum class Reason {
  BadRequest,             // 400
  Unauthorized,           // 401
  Forbidden,              // 403
  NotFound,               // 404
  MethodNotAllowed,       // 405
  NotAcceptable,          // 406
  AlreadyExists,          // 409
  Conflict,               // 409
  Gone,                   // 410
  Expired,                // 410
  RequestEntityTooLarge,  // 413
  UnsupportedMediaType,   // 415
  Invalid,                // 422
  TooManyRequests,        // 429
  InternalError,          // 500
  ServiceUnavailable,     // 503
  Timeout,                // 504
  // 500 without a reason on the wire: what upstream's apiserver answers for an
  // error that is not an API status (metav1.StatusReasonUnknown, e.g. most
  // strategic merge patch errors).
  Unknown,
};

int httpCode(Reason reason);
// The wire name of a reason ("NotFound", "BadRequest"); empty for Unknown, which
// a Status leaves out.
const char* reasonName(Reason reason);

// One entry of Status.details.causes (metav1.StatusCause).
struct Cause {
  std::string type;  // e.g. "FieldValueInvalid", "FieldValueRequired"
  std::string message;
  std::string field;  // e.g. "metadata.name"
};

struct Error {
  Reason reason = Reason::InternalError;
  std::string message;
  // Status.details: which object the error is about, as upstream fills it.
  std::string name;
  std::string group;
  std::string kind;
  std::vector<Cause> causes;
  std::optional<int> retryAfterSeconds;

  int code() const { return httpCode(reason); }
};

inline Error makeError(Reason reason, std::string message) {
  Error e;
  e.reason = reason;
  e.message = std::move(message);
  return e;
}

[[noreturn]] void checkFailed(const char* expr, const char* file, int line, const char* message);

// A broken invariant: crash with a message rather than continue in a bad state.
#define KCPP_CHECK(cond, message) \
  do { if (!(cond)) ::kcpp::checkFailed(#cond, __FILE__, __LINE__, (message)); } while (0)

// Result<T>: a value or an Error. Small on purpose: check with ok()/operator bool,
// read with value()/error(); value() on an error is a broken invariant.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { KCPP_CHECK(ok(), "value() of an error Result"); return std::get<0>(v_); }
  const T& value() const& { KCPP_CHECK(ok(), "value() of an error Result"); return std::get<0>(v_); }
  T&& value() && { KCPP_CHECK(ok(), "value() of an error Result"); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { KCPP_CHECK(!ok(), "error() of an ok Result"); return std::get<1>(v_); }
  Error&& error() && { KCPP_CHECK(!ok(), "error() of an ok Result"); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { KCPP_CHECK(!ok(), "error() of an ok Result"); return *error_; }
  Error&& error() && { KCPP_CHECK(!ok(), "error() of an ok Result"); return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

}  // namespace kcpp
