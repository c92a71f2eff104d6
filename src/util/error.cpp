#include "util/error.h"

namespace kcpp {

int httpCode(Reason reason) {
  switch (reason) {
    case Reason::BadRequest: return 400;
    case Reason::Unauthorized: return 401;
    case Reason::Forbidden: return 403;
    case Reason::NotFound: return 404;
    case Reason::MethodNotAllowed: return 405;
    case Reason::NotAcceptable: return 406;
    case Reason::AlreadyExists: return 409;
    case Reason::Conflict: return 409;
    case Reason::Gone: return 410;
    case Reason::Expired: return 410;
    case Reason::RequestEntityTooLarge: return 413;
    case Reason::UnsupportedMediaType: return 415;
    case Reason::Invalid: return 422;
    case Reason::TooManyRequests: return 429;
    case Reason::InternalError: return 500;
    case Reason::ServiceUnavailable: return 503;
    case Reason::Timeout: return 504;
    case Reason::Unknown: return 500;
  }
  return 500;
}

const char* reasonName(Reason reason) {
  switch (reason) {
    case Reason::BadRequest: return "BadRequest";
    case Reason::Unauthorized: return "Unauthorized";
    case Reason::Forbidden: return "Forbidden";
    case Reason::NotFound: return "NotFound";
    case Reason::MethodNotAllowed: return "MethodNotAllowed";
    case Reason::NotAcceptable: return "NotAcceptable";
    case Reason::AlreadyExists: return "AlreadyExists";
    case Reason::Conflict: return "Conflict";
    case Reason::Gone: return "Gone";
    case Reason::Expired: return "Expired";
    case Reason::RequestEntityTooLarge: return "RequestEntityTooLarge";
    case Reason::UnsupportedMediaType: return "UnsupportedMediaType";
    case Reason::Invalid: return "Invalid";
    case Reason::TooManyRequests: return "TooManyRequests";
    case Reason::InternalError: return "InternalError";
    case Reason::ServiceUnavailable: return "ServiceUnavailable";
    case Reason::Timeout: return "Timeout";
    case Reason::Unknown: return "";
  }
  return "InternalError";
}

void checkFailed(const char* expr, const char* file, int line, const char* message) {
  std::fprintf(stderr, "kcpp: invariant broken at %s:%d: %s (%s)\n", file, line, message, expr);
  std::abort();
}

}  // namespace kcpp
