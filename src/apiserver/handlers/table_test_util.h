#pragma once
// Helpers for the Table tests (table_*_test.cpp): objects with times relative to
// now, and a Table read back as kubectl prints it.

#include <boost/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "api/meta/object.h"
#include "apiserver/handlers/table.h"

namespace kcpp::apiserver::tabletest {

namespace json = boost::json;

// An RFC 3339 time `seconds` ago.
inline std::string ago(long seconds) {
  return api::formatTime(std::chrono::system_clock::now() - std::chrono::seconds(seconds));
}

// Replaces every "AGO[<seconds>]" in a JSON text by the time that long ago.
inline std::string withTimes(std::string text) {
  for (auto at = text.find("AGO["); at != std::string::npos; at = text.find("AGO[")) {
    auto close = text.find(']', at);
    long seconds = std::stol(text.substr(at + 4, close - at - 4));
    text.replace(at, close - at + 1, ago(seconds));
  }
  return text;
}

inline json::object object(const std::string& text) {
  return json::parse(withTimes(text)).as_object();
}

inline api::ResourceType typeOf(std::string group, std::string resource) {
  api::ResourceType t;
  t.group = std::move(group);
  t.resource = std::move(resource);
  return t;
}

class Table {
 public:
  Table(std::string group, std::string resource, const std::vector<std::string>& objects) {
    std::vector<json::object> parsed;
    for (const auto& o : objects) parsed.push_back(object(o));
    table_ = makeTable(typeOf(std::move(group), std::move(resource)), parsed,
                       IncludeObject::None, "7", "");
  }

  // Column names; wide columns marked "*" ("IP*").
  std::string headers() const {
    std::string out;
    for (const auto& d : table_.at("columnDefinitions").as_array()) {
      if (!out.empty()) out += " | ";
      out += std::string(d.at("name").as_string());
      if (d.at("priority").as_int64() == 1) out += "*";
    }
    return out;
  }

  // The cells of a row printed as kubectl prints them, " | "-separated.
  std::string row(std::size_t i = 0) const {
    std::string out;
    for (const auto& cell : rowObject(i).at("cells").as_array()) {
      if (!out.empty()) out += " | ";
      if (cell.is_string()) out += std::string(cell.as_string());
      else if (cell.is_bool()) out += cell.as_bool() ? "true" : "false";
      else out += json::serialize(cell);
    }
    return out;
  }

  const json::value& cell(std::string_view column, std::size_t i = 0) const {
    const auto& defs = table_.at("columnDefinitions").as_array();
    for (std::size_t c = 0; c < defs.size(); ++c) {
      if (defs[c].at("name").as_string() == column) return rowObject(i).at("cells").as_array()[c];
    }
    throw std::runtime_error("no column " + std::string(column));
  }

  std::string text(std::string_view column, std::size_t i = 0) const {
    const json::value& v = cell(column, i);
    return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
  }

  const json::object& rowObject(std::size_t i) const {
    return table_.at("rows").as_array().at(i).as_object();
  }
  const json::object& raw() const { return table_; }

 private:
  json::object table_;
};

}  // namespace kcpp::apiserver::tabletest
