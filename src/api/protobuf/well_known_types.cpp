#include "api/protobuf/well_known_types.h"

#include <chrono>
#include <cstdio>

#include "api/protobuf/json_scalars.h"
#include "api/protobuf/wire_reader.h"

namespace kcpp::protobuf {

namespace json = boost::json;

namespace {

// Seconds of Go's zero time.Time (January 1, year 1, UTC) since the Unix epoch.
constexpr std::int64_t kZeroTimeSeconds = -62135596800;
constexpr std::int64_t kYear0Seconds = -62167219200;      // 0000-01-01T00:00:00Z
constexpr std::int64_t kYear10000Seconds = 253402300800;  // 10000-01-01T00:00:00Z

Error malformed(std::string detail) { return makeError(Reason::BadRequest, std::move(detail)); }

Error wrongType(std::uint32_t number, std::string_view expected) {
  return malformed("wrong wire type for field " + std::to_string(number) + " (expected " +
                   std::string(expected) + ")");
}

// A payload's fields, with the last value of each of the numbers 1..3 at hand.
class SmallMessage {
 public:
  static Result<SmallMessage> read(std::string_view payload) {
    SmallMessage m;
    auto fields = readFields(payload);
    if (!fields) return std::move(fields).error();
    m.fields_ = std::move(*fields);
    for (std::size_t i = 0; i < m.fields_.size(); ++i) {
      if (m.fields_[i].number < 4) m.last_[m.fields_[i].number] = static_cast<int>(i);
    }
    return m;
  }

  bool has(std::uint32_t n) const { return last_[n] >= 0; }

  Result<std::uint64_t> varint(std::uint32_t n) const {
    if (!has(n)) return std::uint64_t{0};
    const WireField& f = fields_[static_cast<std::size_t>(last_[n])];
    if (f.type != WireType::Varint) return wrongType(n, "varint");
    return f.scalar;
  }

  Result<std::string_view> bytes(std::uint32_t n) const {
    if (!has(n)) return std::string_view{};
    const WireField& f = fields_[static_cast<std::size_t>(last_[n])];
    if (f.type != WireType::LengthDelimited) return wrongType(n, "length-delimited");
    return f.bytes;
  }

 private:
  std::vector<WireField> fields_;
  int last_[4] = {-1, -1, -1, -1};
};

// The (seconds, nanos) of a Timestamp payload; `empty` for an empty payload.
struct Timestamp {
  bool empty = true;
  std::int64_t seconds = 0;
  std::int32_t nanos = 0;
};

Result<Timestamp> readTimestamp(std::string_view payload) {
  Timestamp t;
  if (payload.empty()) return t;
  auto m = SmallMessage::read(payload);
  if (!m) return std::move(m).error();
  auto seconds = m->varint(1);
  if (!seconds) return std::move(seconds).error();
  auto nanos = m->varint(2);
  if (!nanos) return std::move(nanos).error();
  t.empty = false;
  t.seconds = static_cast<std::int64_t>(*seconds);
  t.nanos = static_cast<std::int32_t>(static_cast<std::uint32_t>(*nanos));
  return t;
}

// "<whole>[.<fraction without trailing zeros>]" of value / 10^digits.
std::string decimal(std::uint64_t value, int digits) {
  std::uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string out = std::to_string(value / scale);
  std::string fraction = std::to_string(value % scale);
  fraction.insert(0, static_cast<std::size_t>(digits) - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

}  // namespace

Result<std::string> rfc3339(std::int64_t seconds, std::int32_t nanos, int fractionDigits) {
  using namespace std::chrono;
  if (seconds < kYear0Seconds || seconds >= kYear10000Seconds) {
    return malformed("Time.MarshalJSON: year outside of range [0,9999]");
  }
  sys_seconds point{std::chrono::seconds{seconds}};
  sys_days day = floor<days>(point);
  year_month_day date{day};
  hh_mm_ss<std::chrono::seconds> clock{point - day};
  char text[64];
  int n = std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d", int(date.year()),
                        unsigned(date.month()), unsigned(date.day()), int(clock.hours().count()),
                        int(clock.minutes().count()), int(clock.seconds().count()));
  std::string out(text, static_cast<std::size_t>(n));
  if (fractionDigits > 0) {
    int divisor = 1;
    for (int i = fractionDigits; i < 9; ++i) divisor *= 10;
    n = std::snprintf(text, sizeof text, ".%0*d", fractionDigits, nanos / divisor);
    out.append(text, static_cast<std::size_t>(n));
  }
  return out + "Z";
}

std::string goDuration(std::int64_t nanoseconds) {
  if (nanoseconds == 0) return "0s";
  std::string sign = nanoseconds < 0 ? "-" : "";
  std::uint64_t u = nanoseconds < 0 ? 0 - static_cast<std::uint64_t>(nanoseconds)
                                    : static_cast<std::uint64_t>(nanoseconds);
  constexpr std::uint64_t kSecond = 1000000000;
  if (u < 1000) return sign + std::to_string(u) + "ns";
  if (u < 1000000) return sign + decimal(u, 3) + "\xC2\xB5s";  // U+00B5, as Go writes
  if (u < kSecond) return sign + decimal(u, 6) + "ms";
  std::string out = decimal(u % (60 * kSecond), 9) + "s";
  std::uint64_t minutes = u / (60 * kSecond);
  if (minutes > 0) {
    out = std::to_string(minutes % 60) + "m" + out;
    if (minutes >= 60) out = std::to_string(minutes / 60) + "h" + out;
  }
  return sign + out;
}

Result<json::value> timeJson(std::string_view payload) {
  auto t = readTimestamp(payload);
  if (!t) return std::move(t).error();
  // metav1.Time keeps whole seconds only; Go's zero time is null.
  if (t->empty || t->seconds == kZeroTimeSeconds) return json::value(nullptr);
  auto text = rfc3339(t->seconds, 0, 0);
  if (!text) return std::move(text).error();
  return json::value(json::string(*text));
}

Result<json::value> microTimeJson(std::string_view payload) {
  auto t = readTimestamp(payload);
  if (!t) return std::move(t).error();
  std::int32_t micros = t->nanos / 1000;
  if (t->empty || (t->seconds == kZeroTimeSeconds && micros == 0)) return json::value(nullptr);
  if (micros < 0 || micros >= 1000000) return malformed("MicroTime nanos out of range");
  auto text = rfc3339(t->seconds, micros * 1000, 6);
  if (!text) return std::move(text).error();
  return json::value(json::string(*text));
}

Result<json::value> durationJson(std::string_view payload) {
  auto m = SmallMessage::read(payload);
  if (!m) return std::move(m).error();
  auto ns = m->varint(1);
  if (!ns) return std::move(ns).error();
  return json::value(json::string(goDuration(static_cast<std::int64_t>(*ns))));
}

Result<json::value> quantityJson(std::string_view payload) {
  auto m = SmallMessage::read(payload);
  if (!m) return std::move(m).error();
  if (!m->has(1)) return json::value(json::string("0"));
  auto text = m->bytes(1);
  if (!text) return std::move(text).error();
  if (text->empty()) {
    return malformed(
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  }
  return json::value(json::string(validUtf8(*text)));
}

Result<json::value> intOrStringJson(std::string_view payload) {
  auto m = SmallMessage::read(payload);
  if (!m) return std::move(m).error();
  auto type = m->varint(1);
  if (!type) return std::move(type).error();
  if (*type == 0) {
    auto value = m->varint(2);
    if (!value) return std::move(value).error();
    return json::value(std::int64_t{static_cast<std::int32_t>(static_cast<std::uint32_t>(*value))});
  }
  if (*type == 1) {
    auto text = m->bytes(3);
    if (!text) return std::move(text).error();
    return json::value(json::string(validUtf8(*text)));
  }
  return malformed("impossible IntOrString.Type");
}

Result<json::value> stringListJson(std::string_view payload) {
  auto fields = readFields(payload);
  if (!fields) return std::move(fields).error();
  json::array items;
  for (const WireField& f : *fields) {
    if (f.number != 1) continue;
    if (f.type != WireType::LengthDelimited) return wrongType(1, "length-delimited");
    items.emplace_back(json::string(validUtf8(f.bytes)));
  }
  if (items.empty()) return json::value(nullptr);
  return json::value(std::move(items));
}

Result<std::string_view> rawBytes(std::string_view payload) {
  auto m = SmallMessage::read(payload);
  if (!m) return std::move(m).error();
  return m->bytes(1);
}

}  // namespace kcpp::protobuf
