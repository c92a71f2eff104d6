#pragma once
// The column tables behind makeTable (table.h): one Printer per resource, as
// upstream's pkg/printers/internalversion registers them. The apiserver prints
// with Wide on, so every row carries every column; kubectl hides priority-1
// columns unless asked for `-o wide`. Cells are JSON values: strings, integers
// or booleans, as upstream's row cells are.
//
// The per-group files (table_core.cpp, table_pods.cpp, table_apps.cpp, ...)
// each add their printers to a PrinterMap; table_cells.cpp holds the shared
// formatting (ages, label sets, selectors, container lists, quantities).

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kcpp::apiserver::table {

namespace json = boost::json;

using CellFn = std::function<json::value(const json::object&)>;

struct Column {
  std::string name;
  std::string type;  // "string", "integer", "boolean", "date"
  std::string format;
  std::string description;
  int priority = 0;  // 1: only shown with -o wide
  CellFn cell;
};

struct Printer {
  std::vector<Column> columns;
  // Row conditions (metav1.TableRowCondition), e.g. Completed for finished pods.
  std::function<json::array(const json::object&)> conditions;
};

// Keyed by "<group>/<resource>" ("/pods", "apps/deployments").
using PrinterMap = std::map<std::string, Printer>;

void addCorePrinters(PrinterMap& printers);
void addEventPrinters(PrinterMap& printers);
void addVolumePrinters(PrinterMap& printers);
void addPodPrinters(PrinterMap& printers);
void addAppsPrinters(PrinterMap& printers);
void addBatchPrinters(PrinterMap& printers);
void addNetworkingPrinters(PrinterMap& printers);
void addClusterPrinters(PrinterMap& printers);

// --- column factories ---------------------------------------------------------

using TextFn = std::function<std::string(const json::object&)>;
using IntFn = std::function<std::int64_t(const json::object&)>;

// metadata.name, format "name".
Column nameColumn(int priority = 0);
// Age: human duration since metadata.creationTimestamp.
Column ageColumn();
Column textColumn(std::string name, std::string description, TextFn text, int priority = 0);
// A cell holding an integer under a column of `type` (upstream declares some
// integer cells as "string" columns).
Column intColumn(std::string name, std::string type, std::string description, IntFn value,
                 int priority = 0);
Column boolColumn(std::string name, std::string type, std::string description,
                  std::function<bool(const json::object&)> value, int priority = 0);

// Appends the wide Containers and Images columns of the containers at `path`
// (a pod template's "spec.template.spec.containers").
void addTemplateColumns(std::vector<Column>& columns, const std::string& path);

// --- reading objects ------------------------------------------------------------

// The string at a dotted path, or "" (also for non-strings).
std::string str(const json::object& o, std::string_view path);
// The string at a path, or `fallback` when absent or empty.
std::string strOr(const json::object& o, std::string_view path, std::string_view fallback);
std::int64_t num(const json::object& o, std::string_view path, std::int64_t fallback = 0);
bool flag(const json::object& o, std::string_view path);
// Present and not null.
bool has(const json::object& o, std::string_view path);
// The array / object at a path, or an empty one.
const json::array& arr(const json::object& o, std::string_view path);
const json::object& obj(const json::object& o, std::string_view path);
const json::object& asObject(const json::value& v);

// --- formatting -------------------------------------------------------------------

using TimePoint = std::chrono::system_clock::time_point;
std::optional<TimePoint> timeAt(const json::object& o, std::string_view path);
// translateTimestampSince: "<unknown>" for a missing or unparsable time.
std::string since(const json::object& o, std::string_view path);
std::string since(TimePoint t);

std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string lower(std::string s);
// labels.FormatLabels: "k=v" pairs sorted, comma-joined; "<none>" when empty.
std::string formatLabels(const json::object& set);
// metav1.FormatLabelSelector on the selector at a path: "<none>" when it selects
// everything or nothing, "<error>" when invalid.
std::string formatSelector(const json::object& o, std::string_view path);
// LabelSelectorAsSelector(...).String(), "<invalid>" on error (deployments).
std::string selectorString(const json::object& o, std::string_view path);
// layoutContainerCells: names and images of the containers at a path.
std::pair<std::string, std::string> containerCells(const json::object& o, std::string_view path);
// resource.Quantity's String(): the canonical form ("1000m" -> "1", "1024Mi" ->
// "1Gi"); the input unchanged if it does not parse.
std::string canonicalQuantity(std::string_view text);
// The quantity at a path, canonical; "0" when absent (the zero Quantity).
std::string quantityAt(const json::object& o, std::string_view path);
// printBoolPtr: "True", "False", "<unset>" for a missing value.
std::string boolPtr(const json::object& o, std::string_view path);

// Descriptions upstream reuses everywhere.
extern const char* const kNameDescription;
extern const char* const kCreationTimestampDescription;
extern const char* const kContainersDescription;
extern const char* const kImagesDescription;

}  // namespace kcpp::apiserver::table
