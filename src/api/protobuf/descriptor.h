#pragma once
// The shape of a Kubernetes protobuf message, as data.
//
// Each API type is described once, as a list of fields: the protobuf field number,
// the JSON name, and a FieldType saying how the wire value becomes JSON and when
// the Go JSON encoder of that type would leave the field out. The tables live in
// descriptors_<group>.cpp, one file per API group; read one to see the notation:
//
//   g.object("ConfigMap", {
//       {1, "metadata", msg("meta/v1.ObjectMeta")},
//       {4, "immutable", boolean().pointer()},
//       {2, "data", mapOf(str())},
//   });
//
// Field order is the Go struct's order, which is the order of keys in JSON.
//
// To add a type, take two facts per field from upstream k8s.io/api (or
// apimachinery) at the release kcpp implements: the number and proto type from the
// group's generated.proto, and the JSON name, `omitempty` and pointer-ness from the
// Go struct in types.go (its protobuf tag names the proto field). Register the
// group function in builtin_descriptors.cpp; link() checks every reference.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kcpp::protobuf {

enum class Kind : std::uint8_t {
  // Scalars.
  String,
  Bytes,  // JSON: standard base64, as Go encodes []byte
  Int32,
  Int64,
  Bool,
  Double,
  // A message described in the table (messageName).
  Message,
  // Well-known apimachinery types, each a small message on the wire with its own
  // JSON form.
  Time,         // metav1.Time {seconds, nanos} -> "2024-01-02T03:04:05Z"; zero -> null
  MicroTime,    // metav1.MicroTime -> "2024-01-02T03:04:05.123456Z"; zero -> null
  Duration,     // metav1.Duration {duration ns} -> Go's "1h2m3s"
  Quantity,     // resource.Quantity {string} -> "100m"
  IntOrString,  // intstr.IntOrString {type, intVal, strVal} -> 80 or "http"
  RawJson,      // runtime.RawExtension / metav1.FieldsV1 {raw}: raw JSON, embedded
  StringList,   // a named []string wrapped in a message {items} (authn ExtraValue)
};

enum class Shape : std::uint8_t {
  Single,
  List,  // repeated field
  Map,   // repeated entry message {key = 1, value = 2}; keys are strings
};

struct MessageDescriptor;

// How one field is typed on the wire and how the Go JSON encoder writes it.
//
// Presence rules, as Go's encoding/json applies them to the decoded Go struct:
// - default (`json:",omitempty"`, not a pointer): a zero scalar and an empty list
//   or map are left out; a struct-typed field (messages, Time, Quantity...) is
//   always written, as omitempty never omits a struct.
// - pointer(): the Go field is a pointer; written iff present on the wire.
// - always(): no omitempty; an absent value is written as its zero value (null for
//   lists, maps, bytes and absent pointers).
// - inlined(): `json:",inline"` on an embedded struct: its fields join the parent.
struct FieldType {
  Kind kind = Kind::String;
  Shape shape = Shape::Single;
  bool isPointer = false;
  bool omitEmpty = true;
  bool isInline = false;
  // Kind::Message: "Name" within the same group, or "group/version.Name".
  std::string_view messageName{};
  // Set by DescriptorTable::link().
  const MessageDescriptor* message = nullptr;

  constexpr FieldType pointer() const {
    FieldType t = *this;
    t.isPointer = true;
    return t;
  }
  constexpr FieldType always() const {
    FieldType t = *this;
    t.omitEmpty = false;
    return t;
  }
  constexpr FieldType inlined() const {
    FieldType t = *this;
    t.isInline = true;
    return t;
  }
};

constexpr FieldType scalar(Kind kind) {
  FieldType t;
  t.kind = kind;
  return t;
}
constexpr FieldType str() { return scalar(Kind::String); }
constexpr FieldType bytes() { return scalar(Kind::Bytes); }
constexpr FieldType i32() { return scalar(Kind::Int32); }
constexpr FieldType i64() { return scalar(Kind::Int64); }
constexpr FieldType boolean() { return scalar(Kind::Bool); }
constexpr FieldType f64() { return scalar(Kind::Double); }
constexpr FieldType metaTime() { return scalar(Kind::Time); }
constexpr FieldType microTime() { return scalar(Kind::MicroTime); }
constexpr FieldType duration() { return scalar(Kind::Duration); }
constexpr FieldType quantity() { return scalar(Kind::Quantity); }
constexpr FieldType intOrString() { return scalar(Kind::IntOrString); }
constexpr FieldType rawJson() { return scalar(Kind::RawJson); }
constexpr FieldType stringList() { return scalar(Kind::StringList); }
constexpr FieldType msg(std::string_view name) {
  FieldType t = scalar(Kind::Message);
  t.messageName = name;
  return t;
}
constexpr FieldType listOf(FieldType element) {
  element.shape = Shape::List;
  return element;
}
constexpr FieldType mapOf(FieldType value) {
  value.shape = Shape::Map;
  return value;
}

// True for the kinds whose Go type is a scalar (string, []byte, numbers, bool):
// the ones omitempty can omit.
constexpr bool isScalarKind(Kind kind) {
  return kind == Kind::String || kind == Kind::Bytes || kind == Kind::Int32 ||
         kind == Kind::Int64 || kind == Kind::Bool || kind == Kind::Double;
}

struct FieldDescriptor {
  std::uint32_t number = 0;
  std::string_view jsonName;  // empty for inlined fields
  FieldType type;
};

struct MessageDescriptor {
  std::string name;                     // "core/v1.Pod"
  std::vector<FieldDescriptor> fields;  // in JSON (Go struct) order
  std::vector<int> indexByNumber;       // field number -> index in fields, or -1

  // The index in fields of the field with this number, or -1 (an unknown field).
  int indexOf(std::uint32_t number) const {
    return number < indexByNumber.size() ? indexByNumber[number] : -1;
  }
};

}  // namespace kcpp::protobuf
