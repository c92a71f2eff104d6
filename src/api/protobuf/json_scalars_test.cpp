#include "api/protobuf/json_scalars.h"

#include <gtest/gtest.h>

namespace kcpp::protobuf {
namespace {

TEST(Base64, StandardPadded) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64(std::string("\x00\xff\xfe", 3)), "AP/+");
}

TEST(ValidUtf8, KeepsValidTextAndReplacesEachInvalidByte) {
  EXPECT_EQ(validUtf8("plain"), "plain");
  EXPECT_EQ(validUtf8("\xC3\xBC \xE2\x9C\x93 \xF0\x9F\x98\x80"),
            "\xC3\xBC \xE2\x9C\x93 \xF0\x9F\x98\x80");
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(validUtf8("a\xFF"
                      "b"),
            "a" + r + "b");
  EXPECT_EQ(validUtf8("\xC0\xAF"), r + r);                  // overlong
  EXPECT_EQ(validUtf8("\xED\xA0\x80"), r + r + r);          // surrogate
  EXPECT_EQ(validUtf8("\xE2\x9C"), r + r);                  // truncated
  EXPECT_EQ(validUtf8("\xF4\x90\x80\x80"), r + r + r + r);  // past U+10FFFF
}

}  // namespace
}  // namespace kcpp::protobuf
