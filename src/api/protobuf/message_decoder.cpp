#include "api/protobuf/message_decoder.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "api/protobuf/decode_error.h"
#include "api/protobuf/json_scalars.h"
#include "api/protobuf/kubernetes_protobuf.h"
#include "api/protobuf/well_known_types.h"

namespace kcpp::protobuf {

namespace json = boost::json;

namespace {

// Deeper nesting than any API type has: a guard against hostile input.
constexpr int kMaxDepth = 100;

bool isPackable(Kind kind) {
  return kind == Kind::Int32 || kind == Kind::Int64 || kind == Kind::Bool || kind == Kind::Double;
}

WireType expectedWireType(Kind kind) {
  switch (kind) {
    case Kind::Int32:
    case Kind::Int64:
    case Kind::Bool: return WireType::Varint;
    case Kind::Double: return WireType::Fixed64;
    default: return WireType::LengthDelimited;
  }
}

const char* wireTypeName(WireType type) {
  switch (type) {
    case WireType::Varint: return "varint";
    case WireType::Fixed64: return "fixed64";
    case WireType::Fixed32: return "fixed32";
    case WireType::LengthDelimited: return "length-delimited";
  }
  return "unknown";
}

// A number read as a varint or fixed64 into the field's kind.
Result<json::value> numeric(Kind kind, std::uint64_t bits) {
  switch (kind) {
    case Kind::Int32:
      return json::value(std::int64_t{static_cast<std::int32_t>(static_cast<std::uint32_t>(bits))});
    case Kind::Int64: return json::value(static_cast<std::int64_t>(bits));
    case Kind::Bool: return json::value(bits != 0);
    default: {
      double d = std::bit_cast<double>(bits);
      if (!std::isfinite(d)) return decodeError("json: unsupported value: " + std::to_string(d));
      return json::value(d);
    }
  }
}

// What omitempty leaves out: "", 0, false and empty bytes.
bool isZeroScalar(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return v.get_string().empty();
    case json::kind::int64: return v.get_int64() == 0;
    case json::kind::double_: return v.get_double() == 0;
    case json::kind::bool_: return !v.get_bool();
    default: return false;
  }
}

}  // namespace

Result<json::object> MessageDecoder::message(const MessageDescriptor& type, std::string_view bytes,
                                             int depth) const {
  if (depth > kMaxDepth) return decodeError("objects nested too deeply");
  auto fields = readFields(bytes);
  if (!fields) return std::move(fields).error();
  // Known fields as (index in the descriptor, wire field), grouped by index.
  std::vector<std::pair<int, const WireField*>> known;
  known.reserve(fields->size());
  for (const WireField& f : *fields) {
    int index = type.indexOf(f.number);
    if (index >= 0) known.emplace_back(index, &f);
  }
  std::stable_sort(known.begin(), known.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  json::object out;
  std::vector<const WireField*> occurrences;
  auto next = known.begin();
  for (std::size_t i = 0; i < type.fields.size(); ++i) {
    occurrences.clear();
    for (; next != known.end() && next->first == static_cast<int>(i); ++next) {
      occurrences.push_back(next->second);
    }
    const FieldDescriptor& field = type.fields[i];
    auto added = addField(out, field, occurrences, depth);
    if (!added) return inField(std::move(added).error(), field.jsonName);
  }
  return out;
}

Result<void> MessageDecoder::addField(json::object& out, const FieldDescriptor& field,
                                      Occurrences occurrences, int depth) const {
  switch (field.type.shape) {
    case Shape::List: return addList(out, field, occurrences, depth);
    case Shape::Map: return addMap(out, field, occurrences, depth);
    case Shape::Single: break;
  }
  return addSingle(out, field, occurrences, depth);
}

Result<void> MessageDecoder::addSingle(json::object& out, const FieldDescriptor& field,
                                       Occurrences occurrences, int depth) const {
  const FieldType& type = field.type;
  if (type.isInline) {
    auto inner = merged(type, occurrences, depth);
    if (!inner) return std::move(inner).error();
    for (auto& member : inner->as_object()) {
      out.insert_or_assign(member.key(), std::move(member.value()));
    }
    return {};
  }
  if (occurrences.empty()) return addAbsent(out, field, depth);
  auto v = isScalarKind(type.kind) ? value(type, *occurrences.back(), depth)
                                   : merged(type, occurrences, depth);
  if (!v) return std::move(v).error();
  if (!type.isPointer && type.omitEmpty && isScalarKind(type.kind) && isZeroScalar(*v)) return {};
  out.insert_or_assign(field.jsonName, std::move(*v));
  return {};
}

Result<void> MessageDecoder::addAbsent(json::object& out, const FieldDescriptor& field,
                                       int depth) const {
  const FieldType& type = field.type;
  bool leftOut = type.isPointer || (isScalarKind(type.kind) && type.omitEmpty);
  if (leftOut) {
    if (!type.omitEmpty) out.insert_or_assign(field.jsonName, nullptr);
    return {};
  }
  auto z = zero(type, depth);
  if (!z) return std::move(z).error();
  out.insert_or_assign(field.jsonName, std::move(*z));
  return {};
}

Result<void> MessageDecoder::addList(json::object& out, const FieldDescriptor& field,
                                     Occurrences occurrences, int depth) const {
  const FieldType& type = field.type;
  json::array items;
  for (const WireField* w : occurrences) {
    if (isPackable(type.kind) && w->type == WireType::LengthDelimited) {
      auto packed = readPacked(w->bytes, expectedWireType(type.kind));
      if (!packed) return inIndex(std::move(packed).error(), items.size());
      for (std::uint64_t bits : *packed) {
        auto v = numeric(type.kind, bits);
        if (!v) return inIndex(std::move(v).error(), items.size());
        items.push_back(std::move(*v));
      }
      continue;
    }
    auto v = value(type, *w, depth);
    if (!v) return inIndex(std::move(v).error(), items.size());
    items.push_back(std::move(*v));
  }
  if (!items.empty()) {
    out.insert_or_assign(field.jsonName, std::move(items));
  } else if (!type.omitEmpty) {
    out.insert_or_assign(field.jsonName, nullptr);
  }
  return {};
}

Result<void> MessageDecoder::addMap(json::object& out, const FieldDescriptor& field,
                                    Occurrences occurrences, int depth) const {
  const FieldType& type = field.type;
  std::vector<std::pair<std::string, json::value>> entries;
  for (const WireField* w : occurrences) {
    if (w->type != WireType::LengthDelimited) return decodeError("wrong wire type for a map entry");
    auto parts = readFields(w->bytes);
    if (!parts) return std::move(parts).error();
    std::string key;
    const WireField* valueWire = nullptr;
    for (const WireField& part : *parts) {
      if (part.number == 1) {
        if (part.type != WireType::LengthDelimited)
          return decodeError("wrong wire type for a map key");
        key = validUtf8(part.bytes);
      } else if (part.number == 2) {
        valueWire = &part;
      }
    }
    // An entry without a value holds the value type's zero.
    Result<json::value> v = valueWire                  ? value(type, *valueWire, depth)
                            : type.kind == Kind::Bytes ? json::value(json::string())
                                                       : zero(type, depth);
    if (!v) return inKey(std::move(v).error(), key);
    entries.emplace_back(std::move(key), std::move(*v));
  }
  if (entries.empty()) {
    if (!type.omitEmpty) out.insert_or_assign(field.jsonName, nullptr);
    return {};
  }
  // Go writes map keys sorted; a repeated key keeps its last value.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  json::object map;
  for (auto& [key, v] : entries) map.insert_or_assign(key, std::move(v));
  out.insert_or_assign(field.jsonName, std::move(map));
  return {};
}

Result<json::value> MessageDecoder::value(const FieldType& type, const WireField& wire,
                                          int depth) const {
  WireType expected = expectedWireType(type.kind);
  if (wire.type != expected) {
    return decodeError(std::string("wrong wire type ") + wireTypeName(wire.type) + " (expected " +
                       wireTypeName(expected) + ")");
  }
  switch (type.kind) {
    case Kind::String: return json::value(json::string(validUtf8(wire.bytes)));
    case Kind::Bytes: return json::value(json::string(base64(wire.bytes)));
    case Kind::Int32:
    case Kind::Int64:
    case Kind::Bool:
    case Kind::Double: return numeric(type.kind, wire.scalar);
    default: return embedded(type, wire.bytes, depth);
  }
}

Result<json::value> MessageDecoder::merged(const FieldType& type, Occurrences occurrences,
                                           int depth) const {
  for (const WireField* w : occurrences) {
    if (w->type != WireType::LengthDelimited) {
      return decodeError(std::string("wrong wire type ") + wireTypeName(w->type) +
                         " (expected length-delimited)");
    }
  }
  // A message field that occurs more than once merges: on the wire, concatenation.
  if (occurrences.size() == 1) return embedded(type, occurrences[0]->bytes, depth);
  std::string payload;
  for (const WireField* w : occurrences) payload.append(w->bytes);
  return embedded(type, payload, depth);
}

Result<json::value> MessageDecoder::embedded(const FieldType& type, std::string_view payload,
                                             int depth) const {
  switch (type.kind) {
    case Kind::Message: {
      auto object = message(*type.message, payload, depth + 1);
      if (!object) return std::move(object).error();
      return json::value(std::move(*object));
    }
    case Kind::Time: return timeJson(payload);
    case Kind::MicroTime: return microTimeJson(payload);
    case Kind::Duration: return durationJson(payload);
    case Kind::Quantity: return quantityJson(payload);
    case Kind::IntOrString: return intOrStringJson(payload);
    case Kind::StringList: return stringListJson(payload);
    case Kind::RawJson: return rawJson(payload, depth);
    default: return zero(type, depth);
  }
}

Result<json::value> MessageDecoder::zero(const FieldType& type, int depth) const {
  switch (type.kind) {
    case Kind::String: return json::value(json::string());
    case Kind::Bytes: return json::value(nullptr);
    case Kind::Int32:
    case Kind::Int64: return json::value(std::int64_t{0});
    case Kind::Bool: return json::value(false);
    case Kind::Double: return json::value(0.0);
    default: return embedded(type, {}, depth);
  }
}

Result<json::value> MessageDecoder::rawJson(std::string_view payload, int depth) const {
  auto raw = rawBytes(payload);
  if (!raw) return std::move(raw).error();
  if (raw->empty()) return json::value(nullptr);
  // A typed client encodes an embedded object with its own codec: protobuf too.
  if (raw->starts_with(kProtobufMagic)) return envelope(*raw, depth + 1);
  boost::system::error_code ec;
  json::value parsed = json::parse(*raw, ec);
  if (ec) return decodeError("raw field is not valid JSON: " + ec.message());
  return parsed;
}

}  // namespace kcpp::protobuf
