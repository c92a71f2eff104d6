// A byte-at-a-time JSON scanner with the states and messages of Go's
// encoding/json scanner (scanner.go), used only to word syntax errors as Go does.
#include "api/patch/go_json.h"

#include <cstdio>
#include <vector>

#include <boost/json/parse.hpp>

namespace kcpp::patch {
namespace {

constexpr std::size_t kMaxNestingDepth = 10000;

enum class State {
  BeginValue, BeginValueOrEmpty, BeginStringOrEmpty, BeginString, EndValue, EndTop,
  InString, InStringEsc, InStringEscU, Neg, One, Zero, Dot, Dot0, E, ESign, E0, Literal, Error,
};

enum class Parse { ObjectKey, ObjectValue, ArrayValue };

bool isSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool isHex(unsigned char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Go's quoteChar: the byte as a rune in single quotes, escaped like strconv.Quote.
std::string quoteChar(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  static constexpr std::string_view kShort[] = {"\\a", "\\b", "\\t", "\\n", "\\v", "\\f", "\\r"};
  if (c >= 7 && c <= 13) return "'" + std::string(kShort[c - 7]) + "'";
  if (c == '\\') return "'\\\\'";
  char buf[16];
  if (c < 0x20 || c == 0x7F) {
    std::snprintf(buf, sizeof buf, "'\\x%02x'", c);
  } else if (c < 0x7F) {
    std::snprintf(buf, sizeof buf, "'%c'", c);
  } else if (c <= 0xA0 || c == 0xAD) {  // not printable in Go: C1 controls, NBSP, soft hyphen
    std::snprintf(buf, sizeof buf, "'\\u%04x'", c);
  } else {  // the rune U+00XX, in UTF-8
    std::snprintf(buf, sizeof buf, "'%c%c'", 0xC0 | (c >> 6), 0x80 | (c & 0x3F));
  }
  return buf;
}

class Scanner {
 public:
  // Feeds one byte; false once an error is recorded.
  bool step(unsigned char c);
  // End of input: the error, if the text is not one complete value.
  std::optional<std::string> eof();
  const std::optional<std::string>& error() const { return err_; }

 private:
  bool fail(unsigned char c, std::string_view context) {
    state_ = State::Error;
    err_ = "invalid character " + quoteChar(c) + " " + std::string(context);
    return false;
  }
  bool push(unsigned char c, Parse p, State next);
  void pop();
  bool beginValue(unsigned char c);
  bool endValue(unsigned char c);
  bool endTop(unsigned char c);
  bool number(unsigned char c);
  bool inString(unsigned char c);
  bool literal(unsigned char c);

  State state_ = State::BeginValue;
  std::vector<Parse> stack_;
  std::optional<std::string> err_;
  bool endTop_ = false;
  int hexLeft_ = 0;
  std::string_view word_;  // the literal being read: "true", "false" or "null"
  std::size_t wordPos_ = 0;
};

bool Scanner::push(unsigned char c, Parse p, State next) {
  state_ = next;
  stack_.push_back(p);
  if (stack_.size() > kMaxNestingDepth) return fail(c, "exceeded max depth");
  return true;
}

void Scanner::pop() {
  stack_.pop_back();
  if (stack_.empty()) {
    state_ = State::EndTop;
    endTop_ = true;
  } else {
    state_ = State::EndValue;
  }
}

bool Scanner::beginValue(unsigned char c) {
  if (isSpace(c)) return true;
  switch (c) {
    case '{': return push(c, Parse::ObjectKey, State::BeginStringOrEmpty);
    case '[': return push(c, Parse::ArrayValue, State::BeginValueOrEmpty);
    case '"': state_ = State::InString; return true;
    case '-': state_ = State::Neg; return true;
    case '0': state_ = State::Zero; return true;
    case 't': word_ = "true"; break;
    case 'f': word_ = "false"; break;
    case 'n': word_ = "null"; break;
    default:
      if (c >= '1' && c <= '9') {
        state_ = State::One;
        return true;
      }
      return fail(c, "looking for beginning of value");
  }
  state_ = State::Literal;
  wordPos_ = 1;
  return true;
}

bool Scanner::endValue(unsigned char c) {
  if (stack_.empty()) {
    state_ = State::EndTop;
    endTop_ = true;
    return endTop(c);
  }
  if (isSpace(c)) {
    state_ = State::EndValue;
    return true;
  }
  Parse& top = stack_.back();
  if (top == Parse::ObjectKey) {
    if (c != ':') return fail(c, "after object key");
    top = Parse::ObjectValue;
    state_ = State::BeginValue;
    return true;
  }
  if (c == ',') {
    state_ = top == Parse::ObjectValue ? State::BeginString : State::BeginValue;
    if (top == Parse::ObjectValue) top = Parse::ObjectKey;
    return true;
  }
  if ((top == Parse::ObjectValue && c == '}') || (top == Parse::ArrayValue && c == ']')) {
    pop();
    return true;
  }
  return fail(c, top == Parse::ObjectValue ? "after object key:value pair" : "after array element");
}

// Only spaces may follow the top-level value. Go records the error here but
// reports it one byte later (or at the end), which comes to the same message.
bool Scanner::endTop(unsigned char c) {
  if (!isSpace(c)) fail(c, "after top-level value");
  return true;
}

bool Scanner::number(unsigned char c) {
  switch (state_) {
    case State::Neg:
      if (c == '0') { state_ = State::Zero; return true; }
      if (c >= '1' && c <= '9') { state_ = State::One; return true; }
      return fail(c, "in numeric literal");
    case State::One:
      if (isDigit(c)) return true;
      [[fallthrough]];
    case State::Zero:
      if (c == '.') { state_ = State::Dot; return true; }
      if (c == 'e' || c == 'E') { state_ = State::E; return true; }
      return endValue(c);
    case State::Dot:
      if (isDigit(c)) { state_ = State::Dot0; return true; }
      return fail(c, "after decimal point in numeric literal");
    case State::Dot0:
      if (isDigit(c)) return true;
      if (c == 'e' || c == 'E') { state_ = State::E; return true; }
      return endValue(c);
    case State::E:
      if (c == '+' || c == '-') { state_ = State::ESign; return true; }
      [[fallthrough]];
    case State::ESign:
      if (isDigit(c)) { state_ = State::E0; return true; }
      return fail(c, "in exponent of numeric literal");
    default:  // E0
      if (isDigit(c)) return true;
      return endValue(c);
  }
}

bool Scanner::inString(unsigned char c) {
  if (state_ == State::InStringEsc) {
    if (c == 'u') {
      state_ = State::InStringEscU;
      hexLeft_ = 4;
      return true;
    }
    if (std::string_view("bfnrt\\/\"").find(static_cast<char>(c)) == std::string_view::npos) {
      return fail(c, "in string escape code");
    }
    state_ = State::InString;
    return true;
  }
  if (state_ == State::InStringEscU) {
    if (!isHex(c)) return fail(c, "in \\u hexadecimal character escape");
    if (--hexLeft_ == 0) state_ = State::InString;
    return true;
  }
  if (c == '"') state_ = State::EndValue;
  else if (c == '\\') state_ = State::InStringEsc;
  else if (c < 0x20) return fail(c, "in string literal");
  return true;
}

bool Scanner::literal(unsigned char c) {
  if (c != static_cast<unsigned char>(word_[wordPos_])) {
    return fail(c, "in literal " + std::string(word_) + " (expecting '" + word_[wordPos_] + "')");
  }
  if (++wordPos_ == word_.size()) state_ = State::EndValue;
  return true;
}

bool Scanner::step(unsigned char c) {
  switch (state_) {
    case State::Error: return false;
    case State::BeginValue: return beginValue(c);
    case State::BeginValueOrEmpty:
      if (isSpace(c)) return true;
      return c == ']' ? endValue(c) : beginValue(c);
    case State::BeginStringOrEmpty:
      if (isSpace(c)) return true;
      if (c == '}') {
        stack_.back() = Parse::ObjectValue;
        return endValue(c);
      }
      [[fallthrough]];
    case State::BeginString:
      if (isSpace(c)) return true;
      if (c != '"') return fail(c, "looking for beginning of object key string");
      state_ = State::InString;
      return true;
    case State::EndValue: return endValue(c);
    case State::EndTop: return endTop(c);
    case State::InString:
    case State::InStringEsc:
    case State::InStringEscU: return inString(c);
    case State::Literal: return literal(c);
    default: return number(c);
  }
}

std::optional<std::string> Scanner::eof() {
  if (err_) return err_;
  if (endTop_) return std::nullopt;
  step(' ');
  if (endTop_ && !err_) return std::nullopt;
  if (!err_) err_ = "unexpected end of JSON input";
  return err_;
}

}  // namespace

std::optional<std::string> goJsonSyntaxError(std::string_view text) {
  Scanner scanner;
  for (char c : text) {
    if (!scanner.step(static_cast<unsigned char>(c))) return scanner.error();
  }
  return scanner.eof();
}

std::string_view goJsonKind(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: return "object";
    case boost::json::kind::array: return "array";
    case boost::json::kind::string: return "string";
    case boost::json::kind::bool_: return "bool";
    case boost::json::kind::null: return "null";
    default: return "number";
  }
}

Result<boost::json::value> parseJsonLikeGo(std::string_view text) {
  if (auto err = goJsonSyntaxError(text)) return makeError(Reason::BadRequest, *err);
  boost::json::parse_options options;
  options.max_depth = kMaxNestingDepth;
  options.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  auto value = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec, {}, options);
  if (ec) return makeError(Reason::BadRequest, ec.message());
  return value;
}

}  // namespace kcpp::patch
