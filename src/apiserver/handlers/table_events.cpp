// Event columns (upstream's printEvent) for core/v1 events and for
// events.k8s.io/v1 events, which upstream prints through the same internal type:
// there the involved object is "regarding", the message "note", and the old
// timestamps, count and source carry a "deprecated" prefix.

#include <algorithm>
#include <cctype>

#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

namespace {

// The field names of one event API version.
struct EventFields {
  std::string involved, message, first, last, count, source;
};

const EventFields kCoreFields{"involvedObject", "message", "firstTimestamp",
                              "lastTimestamp", "count", "source"};
const EventFields kEventsFields{"regarding", "note", "deprecatedFirstTimestamp",
                                "deprecatedLastTimestamp", "deprecatedCount",
                                "deprecatedSource"};

std::string firstSeen(const json::object& ev, const EventFields& f) {
  if (auto t = timeAt(ev, f.first)) return since(*t);
  return since(ev, "eventTime");
}

std::string lastSeen(const json::object& ev, const EventFields& f) {
  if (has(ev, "series")) return since(ev, "series.lastObservedTime");
  if (auto t = timeAt(ev, f.last)) return since(*t);
  return firstSeen(ev, f);
}

std::int64_t eventCount(const json::object& ev, const EventFields& f) {
  if (has(ev, "series")) return num(ev, "series.count");
  std::int64_t count = num(ev, f.count);
  return count == 0 ? 1 : count;  // singleton events of the new API have no count
}

std::string target(const json::object& ev, const EventFields& f) {
  const json::object& ref = obj(ev, f.involved);
  std::string kind = lower(str(ref, "kind"));
  std::string name = str(ref, "name");
  return name.empty() ? kind : kind + "/" + name;
}

// formatEventSource: component (or reportingController), then ", host" (or
// reportingInstance) when there is one.
std::string source(const json::object& ev, const EventFields& f) {
  std::string component = strOr(ev, f.source + ".component", str(ev, "reportingController"));
  std::string host = strOr(ev, f.source + ".host", str(ev, "reportingInstance"));
  return host.empty() ? component : component + ", " + host;
}

std::string trimSpace(const std::string& s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  auto b = std::find_if_not(s.begin(), s.end(), space);
  auto e = std::find_if_not(s.rbegin(), s.rend(), space).base();
  return b < e ? std::string(b, e) : std::string();
}

TextFn withFields(const EventFields& f,
                  std::string (*fn)(const json::object&, const EventFields&)) {
  return [&f, fn](const json::object& ev) { return fn(ev, f); };
}

Printer eventPrinter(const EventFields& f) {
  return {
      {textColumn("Last Seen",
                  "The time at which the most recent occurrence of this event was recorded.",
                  withFields(f, lastSeen)),
       textColumn("Type",
                  "Type of this event (Normal, Warning), new types could be added in the future",
                  [](const json::object& o) { return str(o, "type"); }),
       textColumn("Reason",
                  "This should be a short, machine understandable string that gives the reason "
                  "for the transition into the object's current status.",
                  [](const json::object& o) { return str(o, "reason"); }),
       textColumn("Object", "The object that this event is about.", withFields(f, target)),
       textColumn("Subobject",
                  "If referring to a piece of an object instead of an entire object, this "
                  "string should contain a valid JSON/Go field access statement, such as "
                  "desiredState.manifest.containers[2]. For example, if the object reference is "
                  "to a container within a pod, this would take on a value like: "
                  "\"spec.containers{name}\" (where \"name\" refers to the name of the container "
                  "that triggered the event) or if no container name is specified "
                  "\"spec.containers[2]\" (container with index 2 in this pod). This syntax is "
                  "chosen only to have some well-defined way of referencing a part of an object.",
                  [&f](const json::object& o) { return str(o, f.involved + ".fieldPath"); }, 1),
       textColumn("Source",
                  "The component reporting this event. Should be a short machine understandable "
                  "string.",
                  withFields(f, source), 1),
       textColumn("Message", "A human-readable description of the status of this operation.",
                  [&f](const json::object& o) { return trimSpace(str(o, f.message)); }),
       textColumn("First Seen",
                  "The time at which the event was first recorded. (Time of server receipt is "
                  "in TypeMeta.)",
                  withFields(f, firstSeen), 1),
       intColumn("Count", "string", "The number of times this event has occurred.",
                 [&f](const json::object& o) { return eventCount(o, f); }, 1),
       nameColumn(1)},
      nullptr};
}

}  // namespace

void addEventPrinters(PrinterMap& printers) {
  printers["/events"] = eventPrinter(kCoreFields);
  printers["events.k8s.io/events"] = eventPrinter(kEventsFields);
}

}  // namespace kcpp::apiserver::table
