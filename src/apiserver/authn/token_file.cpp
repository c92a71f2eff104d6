#include "apiserver/authn/token_file.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace kcpp::apiserver {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// RFC 4180 records as Go's encoding/csv reads them: quoted fields may hold commas,
// newlines and doubled quotes; blank lines are skipped; a trailing \r is dropped.
Result<std::vector<std::vector<std::string>>> readCsv(std::string_view text,
                                                      const std::string& path) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  std::size_t i = 0;
  int line = 1;
  bool atRecordStart = true;
  while (i < text.size()) {
    char c = text[i];
    if (atRecordStart && (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n'))) {
      i += c == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    atRecordStart = false;
    if (c == '"' && field.empty()) {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      if (!closed) {
        return makeError(Reason::BadRequest, "token file '" + path + "': record on line " +
                                                 std::to_string(line) +
                                                 ": extraneous or missing \" in quoted-field");
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return makeError(Reason::BadRequest, "token file '" + path + "': record on line " +
                                                 std::to_string(line) +
                                                 ": extraneous or missing \" in quoted-field");
      }
      continue;
    }
    if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      ++i;
      continue;
    }
    if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      i += c == '\r' ? 2 : 1;
      ++line;
      atRecordStart = true;
      continue;
    }
    field += c;
    ++i;
  }
  if (!atRecordStart) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<std::string> splitGroups(const std::string& s) {
  // strings.Split: "" gives one empty group, as upstream.
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::string_view bearerToken(std::string_view header) {
  // Upstream: strings.TrimSpace, then split on a single space; "Bearer" any case.
  while (!header.empty() && std::isspace(static_cast<unsigned char>(header.front()))) {
    header.remove_prefix(1);
  }
  while (!header.empty() && std::isspace(static_cast<unsigned char>(header.back()))) {
    header.remove_suffix(1);
  }
  auto space = header.find(' ');
  if (space == std::string_view::npos) return {};
  if (!iequals(header.substr(0, space), "bearer")) return {};
  std::string_view token = header.substr(space + 1);
  // Only the second space-separated part is the token.
  if (auto more = token.find(' '); more != std::string_view::npos) token = token.substr(0, more);
  return token;
}

Result<std::map<std::string, UserInfo>> parseTokenFile(std::string_view csv,
                                                       const std::string& path) {
  auto records = readCsv(csv, path);
  if (!records) return std::move(records).error();
  std::map<std::string, UserInfo> tokens;
  int recordNum = 0;
  for (auto& record : *records) {
    if (record.size() < 3) {
      return makeError(Reason::BadRequest,
                       "token file '" + path +
                           "' must have at least 3 columns (token, user name, user uid), found " +
                           std::to_string(record.size()));
    }
    ++recordNum;
    if (record[0].empty()) {
      spdlog::warn("empty token has been found in token file '{}', record number '{}'", path,
                   recordNum);
      continue;
    }
    if (tokens.contains(record[0])) {
      spdlog::warn("duplicate token has been found in token file '{}', record number '{}'", path,
                   recordNum);
    }
    UserInfo user{record[1], record[2], {}};
    if (record.size() >= 4) user.groups = splitGroups(record[3]);
    tokens[record[0]] = std::move(user);
  }
  return tokens;
}

TokenFileAuthenticator::TokenFileAuthenticator(std::map<std::string, UserInfo> tokens)
    : tokens_(std::move(tokens)) {}

Result<std::unique_ptr<TokenFileAuthenticator>> TokenFileAuthenticator::load(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(Reason::InternalError, "open " + path + ": no such file or directory");
  std::ostringstream text;
  text << in.rdbuf();
  auto tokens = parseTokenFile(text.str(), path);
  if (!tokens) return std::move(tokens).error();
  return std::make_unique<TokenFileAuthenticator>(std::move(*tokens));
}

std::optional<TokenAuthentication> TokenFileAuthenticator::authenticateBearer(
    std::string_view token, const Audiences& audiences) const {
  if (!audiences.empty()) return std::nullopt;
  auto it = tokens_.find(std::string(token));
  if (it == tokens_.end()) return std::nullopt;
  return TokenAuthentication{it->second, std::nullopt};
}

}  // namespace kcpp::apiserver
