#include "apiserver/handlers/table.h"

#include "api/meta/object.h"
#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

using table::Column;
using table::Printer;
using table::PrinterMap;

const PrinterMap& printers() {
  static const PrinterMap map = [] {
    PrinterMap m;
    table::addCorePrinters(m);
    table::addEventPrinters(m);
    table::addVolumePrinters(m);
    table::addPodPrinters(m);
    table::addAppsPrinters(m);
    table::addBatchPrinters(m);
    table::addNetworkingPrinters(m);
    table::addClusterPrinters(m);
    return m;
  }();
  return map;
}

// rest.NewDefaultTableConvertor, for resources without a printer of their own
// (roles, clusterroles, limitranges, ...): the name and the creation time in
// RFC 3339, UTC.
Printer defaultPrinter() {
  Column created{"Created At", "date", "", table::kCreationTimestampDescription,
                 0, [](const json::object& o) {
                   auto t = table::timeAt(o, "metadata.creationTimestamp");
                   return json::value(t ? api::formatTime(*t) : "0001-01-01T00:00:00Z");
                 }};
  return {{table::nameColumn(), std::move(created)}, nullptr};
}

const Printer& printerFor(const api::ResourceType& type) {
  static const Printer fallback = defaultPrinter();
  auto it = printers().find(type.group + "/" + type.resource);
  return it == printers().end() ? fallback : it->second;
}

json::array columnDefinitions(const Printer& printer) {
  json::array defs;
  for (const Column& c : printer.columns) {
    json::object d;
    d["name"] = c.name;
    d["type"] = c.type;
    d["format"] = c.format;
    d["description"] = c.description;
    d["priority"] = c.priority;
    defs.push_back(std::move(d));
  }
  return defs;
}

json::object partialMetadata(const json::object& obj) {
  json::object out;
  out["kind"] = "PartialObjectMetadata";
  out["apiVersion"] = "meta.k8s.io/v1";
  const json::object* meta = api::findObject(obj, "metadata");
  out["metadata"] = meta ? *meta : json::object();
  return out;
}

json::object makeRow(const Printer& printer, const json::object& obj, IncludeObject include) {
  json::array cells;
  for (const Column& c : printer.columns) cells.push_back(c.cell(obj));
  json::object row;
  row["cells"] = std::move(cells);
  if (printer.conditions) {
    json::array conditions = printer.conditions(obj);
    if (!conditions.empty()) row["conditions"] = std::move(conditions);
  }
  if (include == IncludeObject::Object) row["object"] = obj;
  if (include == IncludeObject::Metadata) row["object"] = partialMetadata(obj);
  return row;
}

}  // namespace

IncludeObject parseIncludeObject(const std::string& value) {
  if (value == "None") return IncludeObject::None;
  if (value == "Object") return IncludeObject::Object;
  return IncludeObject::Metadata;
}

json::object makeTable(const api::ResourceType& type, const std::vector<json::object>& objects,
                       IncludeObject include, const std::string& resourceVersion,
                       const std::string& continueToken) {
  const Printer& printer = printerFor(type);
  json::array rows;
  for (const json::object& obj : objects) rows.push_back(makeRow(printer, obj, include));
  json::object meta;
  if (!resourceVersion.empty()) meta["resourceVersion"] = resourceVersion;
  if (!continueToken.empty()) meta["continue"] = continueToken;
  json::object table;
  table["kind"] = "Table";
  table["apiVersion"] = "meta.k8s.io/v1";
  table["metadata"] = std::move(meta);
  table["columnDefinitions"] = columnDefinitions(printer);
  table["rows"] = std::move(rows);
  return table;
}

std::string humanDuration(std::chrono::seconds d) {
  long long s = d.count();
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return std::to_string(s) + "s";
  long long m = s / 60;
  auto two = [](long long a, const char* ua, long long b, const char* ub) {
    return b == 0 ? std::to_string(a) + ua : std::to_string(a) + ua + std::to_string(b) + ub;
  };
  if (m < 10) return two(m, "m", s % 60, "s");
  if (m < 180) return std::to_string(m) + "m";
  long long h = s / 3600;
  if (h < 8) return two(h, "h", m % 60, "m");
  if (h < 48) return std::to_string(h) + "h";
  if (h < 24 * 8) return two(h / 24, "d", h % 24, "h");
  if (h < 24 * 365 * 2) return std::to_string(h / 24) + "d";
  if (h < 24 * 365 * 8) return two(h / 24 / 365, "y", (h / 24) % 365, "d");
  return std::to_string(h / 24 / 365) + "y";
}

}  // namespace kcpp::apiserver
