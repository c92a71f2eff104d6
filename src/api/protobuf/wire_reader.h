#pragma once
// The protobuf wire format, read: varints, fixed 32/64-bit values and
// length-delimited payloads, split into the fields of one message.

#include <cstdint>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace kcpp::protobuf {

enum class WireType : std::uint8_t {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
};

struct WireField {
  std::uint32_t number = 0;
  WireType type = WireType::Varint;
  std::uint64_t scalar = 0;  // Varint, Fixed64 and Fixed32 values
  std::string_view bytes;    // LengthDelimited payload (a view into the input)
};

// Reads values one after another from a buffer; errors are BadRequest.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool atEnd() const { return pos_ == data_.size(); }
  Result<std::uint64_t> varint();
  Result<std::uint64_t> fixed(std::size_t width);  // 4 or 8 bytes, little-endian
  Result<std::string_view> lengthDelimited();
  // The next field: its key, then its value. Groups (wire types 3 and 4, unused
  // by Kubernetes) are an error.
  Result<WireField> field();

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

// All fields of one message, in wire order.
Result<std::vector<WireField>> readFields(std::string_view message);

// The values of a packed repeated field whose elements have this wire type.
Result<std::vector<std::uint64_t>> readPacked(std::string_view payload, WireType elementType);

}  // namespace kcpp::protobuf
