// Shared cell formatting for the Table printers (table_columns.h).

#include <algorithm>
#include <cctype>

#include "api/meta/object.h"
#include "api/selectors/label_selector_json.h"
#include "apiserver/handlers/table.h"
#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

const char* const kContainersDescription = "Names of each container in the template.";
const char* const kImagesDescription = "Images referenced by each container in the template.";

const char* const kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

const char* const kCreationTimestampDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

// --- column factories -------------------------------------------------------------

Column nameColumn(int priority) {
  return {"Name", "string", "name", kNameDescription, priority, [](const json::object& o) {
            return json::value(json::string(api::metaName(o)));
          }};
}

Column ageColumn() {
  return textColumn("Age", kCreationTimestampDescription,
                    [](const json::object& o) { return since(o, "metadata.creationTimestamp"); });
}

Column textColumn(std::string name, std::string description, TextFn text, int priority) {
  return {std::move(name), "string", "", std::move(description), priority,
          [text = std::move(text)](const json::object& o) {
            return json::value(json::string(text(o)));
          }};
}

Column intColumn(std::string name, std::string type, std::string description, IntFn value,
                 int priority) {
  return {std::move(name), std::move(type), "", std::move(description), priority,
          [value = std::move(value)](const json::object& o) { return json::value(value(o)); }};
}

Column boolColumn(std::string name, std::string type, std::string description,
                  std::function<bool(const json::object&)> value, int priority) {
  return {std::move(name), std::move(type), "", std::move(description), priority,
          [value = std::move(value)](const json::object& o) { return json::value(value(o)); }};
}

void addTemplateColumns(std::vector<Column>& columns, const std::string& path) {
  columns.push_back(textColumn(
      "Containers", kContainersDescription,
      [path](const json::object& o) { return containerCells(o, path).first; }, 1));
  columns.push_back(textColumn(
      "Images", kImagesDescription,
      [path](const json::object& o) { return containerCells(o, path).second; }, 1));
}

// --- reading objects ---------------------------------------------------------------

std::string str(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string strOr(const json::object& o, std::string_view path, std::string_view fallback) {
  std::string s = str(o, path);
  return s.empty() ? std::string(fallback) : s;
}

std::int64_t num(const json::object& o, std::string_view path, std::int64_t fallback) {
  const json::value* v = api::findPath(o, path);
  if (!v) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return fallback;
}

bool flag(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_bool() && v->get_bool();
}

bool has(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && !v->is_null();
}

const json::array& arr(const json::object& o, std::string_view path) {
  static const json::array empty;
  const json::value* v = api::findPath(o, path);
  return v && v->is_array() ? v->get_array() : empty;
}

const json::object& obj(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v ? asObject(*v) : asObject(json::value());
}

const json::object& asObject(const json::value& v) {
  static const json::object empty;
  return v.is_object() ? v.get_object() : empty;
}

// --- formatting -----------------------------------------------------------------------

std::optional<TimePoint> timeAt(const json::object& o, std::string_view path) {
  std::string s = str(o, path);
  if (s.empty()) return std::nullopt;
  return api::parseTime(s);
}

std::string since(TimePoint t) {
  auto d = std::chrono::system_clock::now() - t;
  return humanDuration(std::chrono::duration_cast<std::chrono::seconds>(d));
}

std::string since(const json::object& o, std::string_view path) {
  auto t = timeAt(o, path);
  return t ? since(*t) : "<unknown>";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string formatLabels(const json::object& set) {
  std::vector<std::string> pairs;
  for (const auto& kv : set) {
    std::string value = kv.value().is_string() ? std::string(kv.value().get_string()) : "";
    pairs.push_back(std::string(kv.key()) + "=" + value);
  }
  std::sort(pairs.begin(), pairs.end());  // Set.String sorts the "k=v" strings
  return pairs.empty() ? "<none>" : join(pairs, ",");
}

namespace {

// LabelSelectorAsSelector(...).String(); nullopt when the selector is invalid.
std::optional<std::string> selectorText(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  auto selector = selectors::labelSelectorFromJson(v ? *v : json::value());
  if (!selector) return std::nullopt;
  return selector->string();
}

}  // namespace

std::string formatSelector(const json::object& o, std::string_view path) {
  auto text = selectorText(o, path);
  if (!text) return "<error>";
  return text->empty() ? "<none>" : *text;
}

std::string selectorString(const json::object& o, std::string_view path) {
  return selectorText(o, path).value_or("<invalid>");
}

std::pair<std::string, std::string> containerCells(const json::object& o, std::string_view path) {
  std::vector<std::string> names, images;
  for (const json::value& c : arr(o, path)) {
    names.push_back(str(asObject(c), "name"));
    images.push_back(str(asObject(c), "image"));
  }
  return {join(names, ","), join(images, ",")};
}

std::string quantityAt(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  if (!v || v->is_null()) return "0";
  if (v->is_string()) return canonicalQuantity(v->get_string());
  if (v->is_int64()) return canonicalQuantity(std::to_string(v->get_int64()));
  return "0";
}

std::string boolPtr(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  if (!v || !v->is_bool()) return "<unset>";
  return v->get_bool() ? "True" : "False";
}

}  // namespace kcpp::apiserver::table
