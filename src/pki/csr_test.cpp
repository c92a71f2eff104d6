#include "pki/csr.h"

#include <gtest/gtest.h>

namespace kcpp::pki {
namespace {

TEST(Csr, MadeAndParsedBack) {
  auto key = generateKey();
  ASSERT_TRUE(key.ok());
  auto pem = createCsrPem(key->get(), "system:node:n1", {"system:nodes"});
  ASSERT_TRUE(pem.ok()) << pem.error().message;
  EXPECT_TRUE(pem->starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
  auto info = parseCsrPem(*pem);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->commonName, "system:node:n1");
  EXPECT_EQ(info->organizations, std::vector<std::string>{"system:nodes"});
  EXPECT_EQ(EVP_PKEY_eq(info->publicKey.get(), key->get()), 1);
}

TEST(Csr, NotARequest) {
  auto info = parseCsrPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message, "PEM block type must be CERTIFICATE REQUEST");
}

}  // namespace
}  // namespace kcpp::pki
