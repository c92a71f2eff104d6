#include "client/record/event_correlator.h"

#include <algorithm>
#include <cstdio>

#include "api/meta/object.h"

namespace kcpp::client::record {

namespace json = boost::json;

namespace {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string joined(const json::object& event, std::initializer_list<std::string_view> paths) {
  std::string key;
  for (auto path : paths) key += str(event, path);  // upstream joins with ""
  return key;
}

long long countOf(const json::object& event) {
  const json::value* v = event.if_contains("count");
  return v && v->is_int64() ? v->get_int64() : 0;
}

}  // namespace

std::string eventName(const std::string& objectName, std::chrono::system_clock::time_point now) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(nanos));
  return objectName + "." + hex;
}

EventCorrelator::EventCorrelator(CorrelatorOptions options)
    : options_(std::move(options)),
      aggregates_(options_.lruCacheSize),
      observations_(options_.lruCacheSize),
      buckets_(options_.lruCacheSize) {
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
}

// getEventKey: source, involvedObject (with fieldPath), type, reason, message.
std::string EventCorrelator::eventKey(const json::object& e) {
  return joined(e, {"source.component", "source.host", "involvedObject.kind",
                    "involvedObject.namespace", "involvedObject.name", "involvedObject.fieldPath",
                    "involvedObject.uid", "involvedObject.apiVersion", "type", "reason", "message"});
}

// getSpamKey: source and involvedObject only.
std::string EventCorrelator::spamKey(const json::object& e) {
  return joined(e, {"source.component", "source.host", "involvedObject.kind",
                    "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                    "involvedObject.apiVersion"});
}

// EventAggregatorByReasonFunc: all but the message.
std::string EventCorrelator::aggregateKey(const json::object& e) {
  return joined(e, {"source.component", "source.host", "involvedObject.kind",
                    "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                    "involvedObject.apiVersion", "type", "reason", "reportingComponent",
                    "reportingInstance"});
}

CorrelateResult EventCorrelator::correlate(json::object event) {
  auto [toWrite, key] = aggregate(std::move(event));
  CorrelateResult result;
  result.patch = observe(toWrite, key);
  // Upstream filters the observed event: patches spend tokens too.
  if (spam(toWrite)) {
    result.skip = true;
    return result;
  }
  result.event = std::move(toWrite);
  return result;
}

std::pair<json::object, std::string> EventCorrelator::aggregate(json::object event) {
  std::string key = eventKey(event);
  if (options_.aggregateMaxEvents == 0) return {std::move(event), std::move(key)};
  auto now = options_.clock();
  std::string aggKey = aggregateKey(event);
  AggregateRecord record;
  if (AggregateRecord* found = aggregates_.get(aggKey)) record = *found;
  if (now - record.last > options_.aggregateMaxInterval) record = AggregateRecord{};
  std::string message = str(event, "message");
  record.messages.insert(message);
  record.last = now;
  bool overThreshold = record.messages.size() >= options_.aggregateMaxEvents;
  // Do not grow the set past the threshold (upstream pops any one).
  if (overThreshold) record.messages.erase(record.messages.begin());
  aggregates_.put(aggKey, std::move(record));
  if (!overThreshold) return {std::move(event), std::move(key)};

  std::string stamp = api::formatTime(now);
  json::object combined{{"apiVersion", "v1"}, {"kind", "Event"}};
  combined["metadata"] = json::object{
      {"name", eventName(str(event, "involvedObject.name"), now)},
      {"namespace", str(event, "metadata.namespace")}};
  combined["involvedObject"] = event["involvedObject"];
  combined["type"] = event["type"];
  combined["reason"] = event["reason"];
  combined["message"] = "(combined from similar events): " + message;
  combined["source"] = event["source"];
  combined["firstTimestamp"] = stamp;
  combined["lastTimestamp"] = stamp;
  combined["count"] = 1;
  // The aggregate key, so later combined events overwrite this one.
  return {std::move(combined), std::move(aggKey)};
}

// eventObserve: an event seen before under `key` becomes a patch of that event.
std::optional<std::string> EventCorrelator::observe(json::object& event, const std::string& key) {
  std::optional<std::string> patch;
  Observation* last = observations_.get(key);
  if (last && last->count > 0) {
    json::object& meta = event["metadata"].as_object();
    meta["name"] = last->name;
    if (!last->resourceVersion.empty()) meta["resourceVersion"] = last->resourceVersion;
    event["firstTimestamp"] = last->firstTimestamp;
    event["count"] = last->count + 1;
    // The two-way strategic merge patch upstream computes between the event with
    // count, lastTimestamp and message cleared and the event: those three fields.
    json::object body{{"count", event["count"]},
                      {"lastTimestamp", event["lastTimestamp"]},
                      {"message", event["message"]}};
    patch = json::serialize(body);
  }
  observations_.put(key, Observation{countOf(event), str(event, "firstTimestamp"),
                                     str(event, "metadata.name"),
                                     str(event, "metadata.resourceVersion")});
  return patch;
}

// EventSourceObjectSpamFilter: true when the event is to be dropped.
bool EventCorrelator::spam(const json::object& event) {
  if (options_.spamBurst <= 0) return false;
  auto now = options_.clock();
  std::string key = spamKey(event);
  TokenBucket bucket{static_cast<double>(options_.spamBurst), now};
  if (TokenBucket* found = buckets_.get(key)) bucket = *found;
  double elapsed = std::chrono::duration<double>(now - bucket.last).count();
  bucket.tokens = std::min<double>(options_.spamBurst, bucket.tokens + std::max(0.0, elapsed) * options_.spamQps);
  bucket.last = now;
  bool accepted = bucket.tokens >= 1.0;
  if (accepted) bucket.tokens -= 1.0;
  buckets_.put(key, bucket);
  return !accepted;
}

void EventCorrelator::updateState(const json::object& written) {
  observations_.put(eventKey(written),
                    Observation{countOf(written), str(written, "firstTimestamp"),
                                str(written, "metadata.name"),
                                str(written, "metadata.resourceVersion")});
}

}  // namespace kcpp::client::record
