#include "api/protobuf/decode_error.h"

namespace kcpp::protobuf {

namespace {

Error prependPath(Error error, std::string segment) {
  if (error.causes.empty()) {
    error.causes.push_back(Cause{"", "", std::move(segment)});
    return error;
  }
  std::string& path = error.causes.front().field;
  if (!path.empty() && path.front() != '[') segment += '.';
  path.insert(0, segment);
  return error;
}

}  // namespace

Error decodeError(std::string detail) { return makeError(Reason::BadRequest, std::move(detail)); }

Error inField(Error error, std::string_view jsonName) {
  // An inlined struct has no name of its own: its fields sit in the parent.
  if (jsonName.empty()) return error;
  return prependPath(std::move(error), std::string(jsonName));
}

Error inIndex(Error error, std::size_t index) {
  return prependPath(std::move(error), "[" + std::to_string(index) + "]");
}

Error inKey(Error error, std::string_view key) {
  return prependPath(std::move(error), "[" + std::string(key) + "]");
}

Error describe(Error error, std::string_view what) {
  std::string message(what);
  if (!error.causes.empty() && !error.causes.front().field.empty()) {
    message += ": " + error.causes.front().field;
  }
  error.message = message + ": " + error.message;
  error.causes.clear();
  return error;
}

}  // namespace kcpp::protobuf
