#include "api/protobuf/wire_reader.h"

#include <gtest/gtest.h>

#include "api/protobuf/test_encoder.h"

namespace kcpp::protobuf {
namespace {

using testing::TestMessage;

TEST(WireReader, ReadsVarintsOfEveryLength) {
  for (std::uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 35, ~0ull}) {
    TestMessage m;
    m.varint(1, v);
    auto fields = readFields(m.data());
    ASSERT_TRUE(fields.ok()) << fields.error().message;
    ASSERT_EQ(fields->size(), 1u);
    EXPECT_EQ((*fields)[0].number, 1u);
    EXPECT_EQ((*fields)[0].type, WireType::Varint);
    EXPECT_EQ((*fields)[0].scalar, v);
  }
}

TEST(WireReader, ReadsEveryWireTypeInOrder) {
  std::string data =
      TestMessage().bytes(2, "abc").fixed64(3, 0x0102030405060708ull).varint(7, 5).data();
  data += std::string("\x45\x01\x00\x00\x80", 5);  // field 8, fixed32 0x80000001
  auto fields = readFields(data);
  ASSERT_TRUE(fields.ok()) << fields.error().message;
  ASSERT_EQ(fields->size(), 4u);
  EXPECT_EQ((*fields)[0].bytes, "abc");
  EXPECT_EQ((*fields)[1].type, WireType::Fixed64);
  EXPECT_EQ((*fields)[1].scalar, 0x0102030405060708ull);
  EXPECT_EQ((*fields)[2].number, 7u);
  EXPECT_EQ((*fields)[3].type, WireType::Fixed32);
  EXPECT_EQ((*fields)[3].scalar, 0x80000001ull);
}

TEST(WireReader, ReadsLargeFieldNumbers) {
  auto fields = readFields(TestMessage().varint(1000, 1).data());
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ((*fields)[0].number, 1000u);
}

TEST(WireReader, RejectsMalformedInput) {
  const std::string cases[] = {
      std::string("\x08", 1),      // key without value
      std::string("\x08\x80", 2),  // truncated varint
      std::string("\x12\x05"
                  "abc",
                  5),                  // length past the end
      std::string("\x09\x01\x02", 3),  // truncated fixed64
      std::string("\x0b", 1),          // start group
      std::string("\x00\x01", 2),      // field number 0
      std::string(11, '\xff'),         // varint longer than 64 bits
  };
  for (const std::string& data : cases) {
    auto fields = readFields(data);
    ASSERT_FALSE(fields.ok());
    EXPECT_EQ(fields.error().reason, Reason::BadRequest);
  }
}

TEST(WireReader, ReadsPackedValues) {
  // A packed payload is the values alone, without keys: 3, 270, 86942.
  std::string packed = "\x03\x8e\x02\x9e\xa7\x05";
  auto values = readPacked(packed, WireType::Varint);
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::uint64_t>{3, 270, 86942}));
  EXPECT_FALSE(readPacked("\x80", WireType::Varint).ok());
  auto fixed = readPacked(std::string("\x01\x00\x00\x00\x02\x00\x00\x00", 8), WireType::Fixed32);
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(*fixed, (std::vector<std::uint64_t>{1, 2}));
}

}  // namespace
}  // namespace kcpp::protobuf
