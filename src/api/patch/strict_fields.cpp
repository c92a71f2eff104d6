// A SAX pass (Boost.JSON's basic_parser) that tracks the path of every value.
#include "api/patch/strict_fields.h"

#include <set>

#include <boost/json/basic_parser_impl.hpp>

namespace kcpp::patch {
namespace {

constexpr std::size_t kMaxStrictErrors = 100;

// strconv.Quote for the common case: quotes and backslashes escaped.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

struct Frame {
  bool object = false;
  bool skipped = false;      // inside an unknown field: nothing is reported
  std::string path;          // this container's path
  std::set<std::string> keys;
  std::string key;           // the key whose value comes next
  bool keySkipped = false;   // that key is unknown
  std::size_t nextIndex = 0;
};

class StrictHandler {
 public:
  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  explicit StrictHandler(const UnknownFieldPredicate& unknown) : unknown_(unknown) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return open(false); }
  bool on_array_end(std::size_t, error_code&) { return close(); }
  bool on_object_begin(error_code&) { return open(true); }
  bool on_object_end(std::size_t, error_code&) { return close(); }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return scalar(); }
  bool on_key_part(string_view s, std::size_t, error_code&) {
    keyBuffer_.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code&) {
    keyBuffer_.append(s.data(), s.size());
    key(std::move(keyBuffer_));
    keyBuffer_.clear();
    return true;
  }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return scalar(); }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return scalar(); }
  bool on_double(double, string_view, error_code&) { return scalar(); }
  bool on_bool(bool, error_code&) { return scalar(); }
  bool on_null(error_code&) { return scalar(); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

  std::vector<std::string> take() { return std::move(errors_); }

 private:
  // The path and skip state of the value that starts now.
  std::pair<std::string, bool> childOf(Frame& parent) {
    if (!parent.object) return {parent.path + "[" + std::to_string(parent.nextIndex++) + "]", parent.skipped};
    std::string path = parent.path.empty() ? parent.key : parent.path + "." + parent.key;
    return {std::move(path), parent.skipped || parent.keySkipped};
  }

  bool open(bool object) {
    Frame frame;
    frame.object = object;
    if (!stack_.empty()) std::tie(frame.path, frame.skipped) = childOf(stack_.back());
    stack_.push_back(std::move(frame));
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  bool scalar() {
    if (!stack_.empty()) childOf(stack_.back());
    return true;
  }

  void key(std::string k) {
    Frame& f = stack_.back();
    f.keySkipped = unknown_ && unknown_(stack_.size(), k);
    if (!f.skipped) {
      std::string path = f.path.empty() ? k : f.path + "." + k;
      if (f.keySkipped) report("unknown field", path);
      else if (!f.keys.insert(k).second) report("duplicate field", path);
    }
    f.key = std::move(k);
  }

  void report(std::string_view type, const std::string& path) {
    std::string message = std::string(type) + " " + quote(path);
    if (errors_.size() >= kMaxStrictErrors || seen_.count(message)) return;
    seen_.insert(message);
    errors_.push_back(std::move(message));
  }

  const UnknownFieldPredicate& unknown_;
  std::vector<Frame> stack_;
  std::string keyBuffer_;
  std::set<std::string> seen_;
  std::vector<std::string> errors_;
};

}  // namespace

std::vector<std::string> strictFieldErrors(std::string_view text, const UnknownFieldPredicate& unknown) {
  boost::json::parse_options options;
  options.max_depth = 10000;
  options.allow_invalid_utf8 = true;
  boost::json::basic_parser<StrictHandler> parser(options, unknown);
  boost::system::error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  return parser.handler().take();
}

}  // namespace kcpp::patch
