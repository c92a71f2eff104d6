// LabelSelector::parse: the `labelSelector=` grammar, as upstream's labels.Parse
// (a lexer, then a recursive-descent parser with one token of lookahead). The
// error messages are upstream's, including their quirks.
#include <algorithm>
#include <set>

#include "api/selectors/go_format.h"
#include "api/selectors/label_selector.h"
#include "api/selectors/label_validation.h"

namespace kcpp::selectors {
namespace {

enum class Token {
  Error, EndOfString, ClosedPar, Comma, DoesNotExist, DoubleEquals, Equals,
  GreaterThan, Identifier, In, LessThan, NotEquals, NotIn, OpenPar,
};

struct Item {
  Token tok = Token::EndOfString;
  std::string literal;
};

std::optional<Token> keyword(std::string_view s) {
  static const std::map<std::string_view, Token> kTokens = {
      {")", Token::ClosedPar}, {",", Token::Comma},       {"!", Token::DoesNotExist},
      {"==", Token::DoubleEquals}, {"=", Token::Equals},  {">", Token::GreaterThan},
      {"in", Token::In},       {"<", Token::LessThan},    {"!=", Token::NotEquals},
      {"notin", Token::NotIn}, {"(", Token::OpenPar},
  };
  auto it = kTokens.find(s);
  if (it == kTokens.end()) return std::nullopt;
  return it->second;
}

bool isWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool isSpecialSymbol(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

// The lexer reads bytes; a NUL byte reads like the end of input, as upstream's.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Item lex() {
    char ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch == 0) return {Token::EndOfString, ""};
    unread();
    return isSpecialSymbol(ch) ? scanSpecialSymbol() : scanIdOrKeyword();
  }

 private:
  char read() { return pos_ < s_.size() ? s_[pos_++] : 0; }
  void unread() { --pos_; }

  Item scanIdOrKeyword() {
    std::string buffer;
    for (char ch = read(); ch != 0; ch = read()) {
      if (isSpecialSymbol(ch) || isWhitespace(ch)) {
        unread();
        break;
      }
      buffer += ch;
    }
    auto tok = keyword(buffer);
    return {tok.value_or(Token::Identifier), buffer};
  }

  // The longest operator that is a token: "!=" is one token, "=!" is "=" then "!".
  Item scanSpecialSymbol() {
    std::optional<Item> last;
    std::string buffer;
    for (char ch = read(); ch != 0; ch = read()) {
      if (!isSpecialSymbol(ch)) {
        unread();
        break;
      }
      buffer += ch;
      if (auto tok = keyword(buffer)) {
        last = Item{*tok, buffer};
      } else if (last) {
        unread();
        break;
      }
    }
    if (!last) return {Token::Error, "error expected: keyword found '" + buffer + "'"};
    return *last;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// In a value context, "in" and "notin" are plain identifiers ("x in (in)").
enum class Context { KeyAndOperator, Values };

Error parseError(std::string message) { return makeError(Reason::BadRequest, std::move(message)); }

Error found(const std::string& literal, std::string_view expected) {
  return parseError("found '" + literal + "', expected: " + std::string(expected));
}

class Parser {
 public:
  explicit Parser(std::string_view text) {
    Lexer lexer(text);
    do items_.push_back(lexer.lex());
    while (items_.back().tok != Token::EndOfString);
  }

  Result<std::vector<LabelRequirement>> parse();

 private:
  Item lookahead(Context ctx) const { return adjust(items_[std::min(pos_, items_.size() - 1)], ctx); }
  Item consume(Context ctx) {
    Item item = lookahead(ctx);
    if (pos_ < items_.size() - 1) ++pos_;
    return item;
  }
  static Item adjust(Item item, Context ctx) {
    if (ctx == Context::Values && (item.tok == Token::In || item.tok == Token::NotIn)) item.tok = Token::Identifier;
    return item;
  }

  Result<LabelRequirement> parseRequirement();
  Result<std::pair<std::string, std::optional<LabelOp>>> parseKeyAndInferOperator();
  Result<LabelOp> parseOperator();
  Result<std::set<std::string>> parseValues();
  Result<std::set<std::string>> parseIdentifiersList();
  Result<std::set<std::string>> parseExactValue();
  Result<bool> afterRequirement();

  std::vector<Item> items_;
  std::size_t pos_ = 0;
};

Result<std::vector<LabelRequirement>> Parser::parse() {
  std::vector<LabelRequirement> requirements;
  while (true) {
    Item next = lookahead(Context::Values);
    if (next.tok == Token::EndOfString) return requirements;
    if (next.tok != Token::Identifier && next.tok != Token::DoesNotExist) {
      return found(next.literal, "!, identifier, or 'end of string'");
    }
    auto r = parseRequirement();
    if (!r) return parseError("unable to parse requirement: " + r.error().message);
    requirements.push_back(std::move(r).value());
    auto more = afterRequirement();
    if (!more) return std::move(more).error();
    if (!*more) return requirements;
  }
}

// After a requirement: the end (false), or a ',' and another requirement (true).
Result<bool> Parser::afterRequirement() {
  Item t = consume(Context::Values);
  if (t.tok == Token::EndOfString) return false;
  if (t.tok != Token::Comma) return found(t.literal, "',' or 'end of string'");
  Item t2 = lookahead(Context::Values);
  if (t2.tok != Token::Identifier && t2.tok != Token::DoesNotExist) {
    return found(t2.literal, "identifier after ','");
  }
  return true;
}

Result<LabelRequirement> Parser::parseRequirement() {
  auto keyOp = parseKeyAndInferOperator();
  if (!keyOp) return std::move(keyOp).error();
  auto [key, inferred] = std::move(keyOp).value();
  if (inferred) return makeRequirement(std::move(key), *inferred, {});
  auto op = parseOperator();
  if (!op) return std::move(op).error();
  bool set = *op == LabelOp::In || *op == LabelOp::NotIn;
  auto values = set ? parseValues() : parseExactValue();
  if (!values) return std::move(values).error();
  return makeRequirement(std::move(key), *op, {values->begin(), values->end()});
}

// "[!]key": the operator is Exists (or DoesNotExist) when the key stands alone.
Result<std::pair<std::string, std::optional<LabelOp>>> Parser::parseKeyAndInferOperator() {
  std::optional<LabelOp> op;
  Item item = consume(Context::Values);
  if (item.tok == Token::DoesNotExist) {
    op = LabelOp::DoesNotExist;
    item = consume(Context::Values);
  }
  if (item.tok != Token::Identifier) return found(item.literal, "identifier");
  if (auto errs = qualifiedNameErrors(item.literal); !errs.empty()) {
    std::string detail;
    for (std::size_t i = 0; i < errs.size(); ++i) detail += (i ? "; " : "") + errs[i];
    // Upstream validates with a nil field path, which prints as "<nil>".
    return parseError("<nil>: Invalid value: " + goQuote(item.literal) + ": " + detail);
  }
  Token next = lookahead(Context::Values).tok;
  if (!op && (next == Token::EndOfString || next == Token::Comma)) op = LabelOp::Exists;
  return std::pair{item.literal, op};
}

Result<LabelOp> Parser::parseOperator() {
  Item item = consume(Context::KeyAndOperator);
  switch (item.tok) {
    case Token::In: return LabelOp::In;
    case Token::Equals: return LabelOp::Equals;
    case Token::DoubleEquals: return LabelOp::DoubleEquals;
    case Token::GreaterThan: return LabelOp::GreaterThan;
    case Token::LessThan: return LabelOp::LessThan;
    case Token::NotIn: return LabelOp::NotIn;
    case Token::NotEquals: return LabelOp::NotEquals;
    default: return found(item.literal, "in, notin, =, ==, !=, gt, lt");
  }
}

// "(a,b,c)"; "()" is the set holding only the empty value.
Result<std::set<std::string>> Parser::parseValues() {
  Item open = consume(Context::Values);
  if (open.tok != Token::OpenPar) return parseError("found '" + open.literal + "' expected: '('");
  Item first = lookahead(Context::Values);
  if (first.tok == Token::ClosedPar) {
    consume(Context::Values);
    return std::set<std::string>{""};
  }
  if (first.tok != Token::Identifier && first.tok != Token::Comma) {
    return found(first.literal, "',', ')' or identifier");
  }
  auto values = parseIdentifiersList();
  if (!values) return values;
  if (consume(Context::Values).tok != Token::ClosedPar) return found(first.literal, "')'");
  return values;
}

// A comma-separated list of possibly empty identifiers, up to (not including) ')'.
Result<std::set<std::string>> Parser::parseIdentifiersList() {
  std::set<std::string> values;
  while (true) {
    Item item = consume(Context::Values);
    if (item.tok == Token::Identifier) {
      values.insert(item.literal);
      Item next = lookahead(Context::Values);
      if (next.tok == Token::ClosedPar) return values;
      if (next.tok != Token::Comma) return found(next.literal, "',' or ')'");
      continue;
    }
    if (item.tok != Token::Comma) return found(item.literal, "',', or identifier");
    if (values.empty()) values.insert("");  // "(,"
    Token next = lookahead(Context::Values).tok;
    if (next == Token::ClosedPar || next == Token::Comma) values.insert("");  // ",)" and ",,"
    if (next == Token::ClosedPar) return values;
  }
}

// The value after =, ==, !=, > or <; nothing before ',' or the end means "".
Result<std::set<std::string>> Parser::parseExactValue() {
  Token next = lookahead(Context::Values).tok;
  if (next == Token::EndOfString || next == Token::Comma) return std::set<std::string>{""};
  Item item = consume(Context::Values);
  if (item.tok != Token::Identifier) return found(item.literal, "identifier");
  return std::set<std::string>{item.literal};
}

}  // namespace

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  auto requirements = Parser(text).parse();
  if (!requirements) return std::move(requirements).error();
  return fromRequirements(std::move(requirements).value());
}

}  // namespace kcpp::selectors
