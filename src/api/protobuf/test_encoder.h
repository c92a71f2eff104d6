#pragma once
// Test-only: a tiny protobuf writer to build request bodies field by field.

#include <cstdint>
#include <string>
#include <string_view>

#include "api/protobuf/kubernetes_protobuf.h"

namespace kcpp::protobuf::testing {

class TestMessage {
 public:
  TestMessage& varint(std::uint32_t number, std::uint64_t value) {
    key(number, 0);
    putVarint(value);
    return *this;
  }
  // Negative int32/int64 values travel as their 64-bit two's complement.
  TestMessage& integer(std::uint32_t number, std::int64_t value) {
    return varint(number, static_cast<std::uint64_t>(value));
  }
  TestMessage& fixed64(std::uint32_t number, std::uint64_t value) {
    key(number, 1);
    for (int i = 0; i < 8; ++i) out_ += static_cast<char>((value >> (8 * i)) & 0xff);
    return *this;
  }
  TestMessage& bytes(std::uint32_t number, std::string_view value) {
    key(number, 2);
    putVarint(value.size());
    out_.append(value);
    return *this;
  }
  TestMessage& message(std::uint32_t number, const TestMessage& value) {
    return bytes(number, value.data());
  }
  // One entry of a map<string, string> (or bytes) field.
  TestMessage& entry(std::uint32_t number, std::string_view k, std::string_view v) {
    return message(number, TestMessage().bytes(1, k).bytes(2, v));
  }
  TestMessage& entry(std::uint32_t number, std::string_view k, const TestMessage& v) {
    return message(number, TestMessage().bytes(1, k).message(2, v));
  }
  // Raw bytes, for malformed input.
  TestMessage& raw(std::string_view bytes) {
    out_.append(bytes);
    return *this;
  }

  const std::string& data() const { return out_; }

 private:
  void key(std::uint32_t number, unsigned wireType) {
    putVarint((std::uint64_t{number} << 3) | wireType);
  }
  void putVarint(std::uint64_t value) {
    while (value >= 0x80) {
      out_ += static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    out_ += static_cast<char>(value);
  }
  std::string out_;
};

// "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw}.
inline std::string envelope(std::string_view apiVersion, std::string_view kind,
                            const TestMessage& object) {
  TestMessage unknown;
  unknown.message(1, TestMessage().bytes(1, apiVersion).bytes(2, kind));
  unknown.message(2, object);
  return std::string(kProtobufMagic) + unknown.data();
}

// Shorthands for the apimachinery messages.
inline TestMessage objectMeta(std::string_view name) { return TestMessage().bytes(1, name); }
inline TestMessage quantity(std::string_view text) { return TestMessage().bytes(1, text); }
inline TestMessage intOrString(std::int32_t value) {
  return TestMessage().varint(1, 0).integer(2, value);
}
inline TestMessage intOrString(std::string_view value) {
  return TestMessage().varint(1, 1).bytes(3, value);
}
inline TestMessage timestamp(std::int64_t seconds, std::int32_t nanos = 0) {
  TestMessage t;
  t.integer(1, seconds);
  if (nanos != 0) t.integer(2, nanos);
  return t;
}

}  // namespace kcpp::protobuf::testing
