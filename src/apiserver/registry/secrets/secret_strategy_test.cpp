#include "apiserver/registry/secrets/secret_strategy.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver {

TEST(SecretStrategy, StringDataMergesIntoData) {
  json::object secret = json::parse(R"({"data":{"user":"YWRtaW4=","password":"b2xk"},
                                        "stringData":{"password":"hunter2"}})").as_object();
  mergeStringData(secret);
  EXPECT_FALSE(secret.contains("stringData"));
  EXPECT_EQ(secret["data"].as_object()["user"], "YWRtaW4=");
  EXPECT_EQ(secret["data"].as_object()["password"], "aHVudGVyMg==");
}

}  // namespace kcpp::apiserver
