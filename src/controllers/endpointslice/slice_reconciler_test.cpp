// How slices are planned (no server needed).
#include "controllers/endpointslice/slice_reconciler.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"

namespace kcpp::controllers::endpointslice {
namespace {

json::object service() {
  return json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default",
    "uid":"svc-uid","labels":{"tier":"front"}},
    "spec":{"clusterIP":"10.43.0.10","ipFamilies":["IPv4"],"selector":{"app":"web"},
            "ports":[{"name":"http","port":80,"targetPort":"web","protocol":"TCP"}]}})").as_object();
}

const json::array kPorts = json::parse(R"([{"name":"http","port":8080,"protocol":"TCP"}])").as_array();

DesiredEndpoint endpoint(int i, bool ready = true) {
  std::string ip = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
  json::object ep{{"addresses", json::array{json::value(ip)}},
                  {"conditions", json::object{{"ready", ready}, {"serving", ready}, {"terminating", false}}},
                  {"targetRef", json::object{{"kind", "Pod"}, {"namespace", "default"},
                                             {"name", "p" + std::to_string(i)}, {"uid", "u" + std::to_string(i)}}}};
  return DesiredEndpoint{endpointKey(ep), ep};
}

PortGroups groups(int from, int to, const json::array& ports = kPorts) {
  PortGroups g;
  PortGroup& group = g[portMapKey(ports)];
  group.ports = ports;
  for (int i = from; i < to; ++i) group.endpoints.push_back(endpoint(i));
  return g;
}

// Turns planned creates into "existing" slices, as the server would.
std::vector<SlicePtr> existingFrom(std::vector<json::object> created) {
  std::vector<SlicePtr> out;
  int n = 0;
  for (json::object& s : created) {
    json::object& meta = s["metadata"].as_object();
    meta["name"] = "web-" + std::to_string(n++);
    meta.erase("generateName");
    meta["resourceVersion"] = "1";
    out.push_back(std::make_shared<const json::object>(std::move(s)));
  }
  return out;
}

std::size_t count(const json::object& slice) { return slice.at("endpoints").as_array().size(); }

TEST(SliceReconciler, NewEndpointsGoToSlicesOfAtMostMax) {
  auto changes = reconcileAddressType(service(), "IPv4", groups(0, 250), {}, 100, "c");
  ASSERT_EQ(changes.toCreate.size(), 3u);
  EXPECT_TRUE(changes.toUpdate.empty() && changes.toDelete.empty());
  EXPECT_EQ(count(changes.toCreate[0]), 100u);
  EXPECT_EQ(count(changes.toCreate[1]), 100u);
  EXPECT_EQ(count(changes.toCreate[2]), 50u);
  const json::object& slice = changes.toCreate[0];
  EXPECT_EQ(slice.at("addressType"), "IPv4");
  EXPECT_EQ(slice.at("metadata").at("generateName"), "web-");
  EXPECT_EQ(slice.at("metadata").at("labels").at("kubernetes.io/service-name"), "web");
  EXPECT_EQ(slice.at("metadata").at("labels").at("endpointslice.kubernetes.io/managed-by"), "c");
  EXPECT_EQ(slice.at("metadata").at("labels").at("tier"), "front");
  EXPECT_EQ(slice.at("metadata").at("ownerReferences").at(0).at("uid"), "svc-uid");
  EXPECT_EQ(slice.at("metadata").at("ownerReferences").at(0).at("controller"), true);
  EXPECT_EQ(slice.at("ports"), kPorts);
}

TEST(SliceReconciler, NothingChangesWhenSlicesAreCurrent) {
  auto existing = existingFrom(reconcileAddressType(service(), "IPv4", groups(0, 150), {}, 100, "c").toCreate);
  auto changes = reconcileAddressType(service(), "IPv4", groups(0, 150), existing, 100, "c");
  EXPECT_TRUE(changes.toCreate.empty() && changes.toUpdate.empty() && changes.toDelete.empty());
}

TEST(SliceReconciler, ChangesTouchOnlyTheSlicesConcerned) {
  auto existing = existingFrom(reconcileAddressType(service(), "IPv4", groups(0, 200), {}, 100, "c").toCreate);
  // p0 goes, p200 comes: one slice is rewritten, the new endpoint fills it.
  PortGroups desired = groups(1, 201);
  auto changes = reconcileAddressType(service(), "IPv4", desired, existing, 100, "c");
  EXPECT_TRUE(changes.toCreate.empty());
  EXPECT_TRUE(changes.toDelete.empty());
  ASSERT_EQ(changes.toUpdate.size(), 1u);
  EXPECT_EQ(count(changes.toUpdate[0]), 100u);
  EXPECT_EQ(changes.toUpdate[0].at("metadata").at("name"), "web-0");

  // A readiness change updates that endpoint's slice in place.
  PortGroups flipped = groups(0, 200);
  flipped.begin()->second.endpoints[150] = endpoint(150, false);
  auto inPlace = reconcileAddressType(service(), "IPv4", flipped, existing, 100, "c");
  ASSERT_EQ(inPlace.toUpdate.size(), 1u);
  EXPECT_TRUE(inPlace.toCreate.empty() && inPlace.toDelete.empty());
}

TEST(SliceReconciler, AFewNewEndpointsFillTheUnchangedSliceClosestToFull) {
  auto existing = existingFrom(reconcileAddressType(service(), "IPv4", groups(0, 150), {}, 100, "c").toCreate);
  auto changes = reconcileAddressType(service(), "IPv4", groups(0, 160), existing, 100, "c");
  EXPECT_TRUE(changes.toCreate.empty());
  ASSERT_EQ(changes.toUpdate.size(), 1u);
  EXPECT_EQ(count(changes.toUpdate[0]), 60u);
}

TEST(SliceReconciler, EmptiedSlicesAreDeletedOrReusedAndAPlaceholderStays) {
  auto existing = existingFrom(reconcileAddressType(service(), "IPv4", groups(0, 150), {}, 100, "c").toCreate);
  // Only the endpoints of the first slice stay desired: the second one is emptied, so deleted.
  PortGroups firstOnly;
  PortGroup& group = firstOnly[portMapKey(kPorts)];
  group.ports = kPorts;
  for (const auto& e : existing[0]->at("endpoints").as_array()) {
    group.endpoints.push_back(DesiredEndpoint{endpointKey(e.as_object()), e.as_object()});
  }
  auto shrunk = reconcileAddressType(service(), "IPv4", firstOnly, existing, 100, "c");
  EXPECT_EQ(shrunk.toDelete.size(), 1u);
  EXPECT_TRUE(shrunk.toCreate.empty());
  EXPECT_TRUE(shrunk.toUpdate.empty());

  // No endpoints at all: the last slice is reused as the empty placeholder.
  auto none = reconcileAddressType(service(), "IPv4", {}, existing, 100, "c");
  EXPECT_TRUE(none.toCreate.empty());
  ASSERT_EQ(none.toUpdate.size(), 1u);
  EXPECT_EQ(count(none.toUpdate[0]), 0u);
  EXPECT_TRUE(none.toUpdate[0].at("ports").as_array().empty());
  EXPECT_EQ(none.toDelete.size(), 1u);

  auto placeholder = reconcileAddressType(service(), "IPv4", {}, {}, 100, "c");
  ASSERT_EQ(placeholder.toCreate.size(), 1u);
  auto kept = reconcileAddressType(service(), "IPv4", {}, existingFrom(placeholder.toCreate), 100, "c");
  EXPECT_TRUE(kept.toCreate.empty() && kept.toUpdate.empty() && kept.toDelete.empty());
}

TEST(SliceReconciler, DistinctPortListsGetDistinctSlices) {
  PortGroups desired = groups(0, 3);
  json::array other = json::parse(R"([{"name":"http","port":9090,"protocol":"TCP"}])").as_array();
  PortGroups second = groups(3, 5, other);
  desired.merge(second);
  auto changes = reconcileAddressType(service(), "IPv4", desired, {}, 100, "c");
  ASSERT_EQ(changes.toCreate.size(), 2u);
  std::set<std::int64_t> ports;
  for (const auto& s : changes.toCreate) ports.insert(s.at("ports").at(0).at("port").as_int64());
  EXPECT_EQ(ports, (std::set<std::int64_t>{8080, 9090}));
}

TEST(SliceReconciler, SlicesOfAnotherServiceWithTheSameNameAreDeleted) {
  auto existing = existingFrom(reconcileAddressType(service(), "IPv4", groups(0, 5), {}, 100, "c").toCreate);
  json::object newer = service();
  newer["metadata"].as_object()["uid"] = "new-uid";
  auto changes = reconcileAddressType(newer, "IPv4", groups(0, 5), existing, 100, "c");
  // Never reused for the new Service: deleted, and a new slice created.
  EXPECT_EQ(changes.toDelete.size(), 1u);
  EXPECT_EQ(changes.toCreate.size(), 1u);
  EXPECT_TRUE(changes.toUpdate.empty());
}

}  // namespace
}  // namespace kcpp::controllers::endpointslice
