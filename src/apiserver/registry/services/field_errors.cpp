#include "apiserver/registry/services/field_errors.h"

#include <cstdio>

namespace kcpp::apiserver::service {

std::string goQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string goStringSlice(const std::vector<std::string>& values) {
  if (values.empty()) return "[]string(nil)";
  std::string out = "[]string{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += goQuote(values[i]);
  }
  return out + "}";
}

Cause invalidValue(std::string field, std::string rendered, const std::string& detail) {
  std::string message = "Invalid value: " + rendered;
  if (!detail.empty()) message += ": " + detail;
  return Cause{"FieldValueInvalid", std::move(message), std::move(field)};
}

Cause notSupported(std::string field, std::string rendered,
                   const std::vector<std::string>& supported) {
  std::string message = "Unsupported value: " + rendered;
  if (!supported.empty()) {
    message += ": supported values: ";
    for (std::size_t i = 0; i < supported.size(); ++i) {
      if (i) message += ", ";
      message += goQuote(supported[i]);
    }
  }
  return Cause{"FieldValueNotSupported", std::move(message), std::move(field)};
}

Cause duplicateValue(std::string field, std::string rendered) {
  return Cause{"FieldValueDuplicate", "Duplicate value: " + rendered, std::move(field)};
}

}  // namespace kcpp::apiserver::service
