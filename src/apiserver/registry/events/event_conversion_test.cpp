#include "apiserver/registry/events/event_conversion.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver {

TEST(EventsV1Conversion, RenamesBothWays) {
  json::object served = json::parse(R"({"apiVersion":"events.k8s.io/v1","kind":"Event",
      "metadata":{"name":"e","namespace":"default"},"regarding":{"kind":"Pod","name":"p"},
      "note":"pulled","reason":"Pulled","type":"Normal","reportingController":"kubelet",
      "reportingInstance":"node-1","deprecatedCount":3})").as_object();
  EventsV1Conversion conversion;
  json::object stored = conversion.toStorage(served);
  EXPECT_EQ(stored["apiVersion"], "v1");
  EXPECT_EQ(stored["involvedObject"].as_object()["name"], "p");
  EXPECT_EQ(stored["message"], "pulled");
  EXPECT_EQ(stored["reportingComponent"], "kubelet");
  EXPECT_EQ(stored["count"], 3);
  EXPECT_EQ(stored["reason"], "Pulled");
  EXPECT_FALSE(stored.contains("note"));
  EXPECT_EQ(conversion.fromStorage(stored), served);
}

}  // namespace kcpp::apiserver
