#include "api/protobuf/wire_reader.h"

#include <string>

namespace kcpp::protobuf {

namespace {

Error malformed(std::string detail) { return makeError(Reason::BadRequest, std::move(detail)); }

}  // namespace

Result<std::uint64_t> WireReader::varint() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return malformed("unexpected end of data in a varint");
    auto byte = static_cast<std::uint8_t>(data_[pos_++]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return malformed("varint overflows 64 bits");
}

Result<std::uint64_t> WireReader::fixed(std::size_t width) {
  if (data_.size() - pos_ < width) return malformed("unexpected end of data in a fixed value");
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += width;
  return value;
}

Result<std::string_view> WireReader::lengthDelimited() {
  auto length = varint();
  if (!length) return std::move(length).error();
  if (*length > data_.size() - pos_) return malformed("length exceeds the remaining data");
  std::string_view payload = data_.substr(pos_, static_cast<std::size_t>(*length));
  pos_ += payload.size();
  return payload;
}

Result<WireField> WireReader::field() {
  auto key = varint();
  if (!key) return std::move(key).error();
  WireField field;
  std::uint64_t number = *key >> 3;
  if (number == 0 || number > 0x1fffffff)
    return malformed("invalid field number " + std::to_string(number));
  field.number = static_cast<std::uint32_t>(number);
  auto type = static_cast<unsigned>(*key & 7);
  Result<std::uint64_t> scalar = std::uint64_t{0};
  switch (type) {
    case 0:
      field.type = WireType::Varint;
      scalar = varint();
      break;
    case 1:
      field.type = WireType::Fixed64;
      scalar = fixed(8);
      break;
    case 5:
      field.type = WireType::Fixed32;
      scalar = fixed(4);
      break;
    case 2: {
      field.type = WireType::LengthDelimited;
      auto payload = lengthDelimited();
      if (!payload) return std::move(payload).error();
      field.bytes = *payload;
      return field;
    }
    default:
      return malformed("unsupported wire type " + std::to_string(type) + " for field " +
                       std::to_string(number));
  }
  if (!scalar) return std::move(scalar).error();
  field.scalar = *scalar;
  return field;
}

Result<std::vector<WireField>> readFields(std::string_view message) {
  std::vector<WireField> fields;
  WireReader reader(message);
  while (!reader.atEnd()) {
    auto field = reader.field();
    if (!field) return std::move(field).error();
    fields.push_back(*field);
  }
  return fields;
}

Result<std::vector<std::uint64_t>> readPacked(std::string_view payload, WireType elementType) {
  std::vector<std::uint64_t> values;
  WireReader reader(payload);
  while (!reader.atEnd()) {
    Result<std::uint64_t> value = elementType == WireType::Varint    ? reader.varint()
                                  : elementType == WireType::Fixed64 ? reader.fixed(8)
                                                                     : reader.fixed(4);
    if (!value) return std::move(value).error();
    values.push_back(*value);
  }
  return values;
}

}  // namespace kcpp::protobuf
