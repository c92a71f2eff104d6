#include "client/informer/object_interner.h"

#include <gtest/gtest.h>

namespace kcpp::client {
namespace {

namespace json = boost::json;

ObjectInterner::ObjectPtr pod(const std::string& uid, const std::string& rv, bool withKind = true) {
  json::object obj;
  if (withKind) obj["kind"] = "Pod";
  obj["metadata"] = json::object{{"name", "p-" + uid}, {"uid", uid}, {"resourceVersion", rv}};
  return std::make_shared<const json::object>(std::move(obj));
}

TEST(ObjectInterner, TheSecondCopyOfAVersionIsTheFirst) {
  ObjectInterner interner;
  auto first = interner.intern(pod("u1", "5"));
  auto second = interner.intern(pod("u1", "5"));
  EXPECT_EQ(first.get(), second.get());
}

TEST(ObjectInterner, OtherVersionsAndObjectsStayApart) {
  ObjectInterner interner;
  auto v5 = interner.intern(pod("u1", "5"));
  EXPECT_NE(interner.intern(pod("u1", "6")).get(), v5.get());
  EXPECT_NE(interner.intern(pod("u2", "5")).get(), v5.get());
  // A list's item (no kind) is not the watch event's object.
  EXPECT_NE(interner.intern(pod("u1", "5", false)).get(), v5.get());
}

TEST(ObjectInterner, AReleasedVersionIsNotResurrected) {
  ObjectInterner interner;
  interner.intern(pod("u1", "5"));  // nobody keeps it
  auto again = pod("u1", "5");
  const json::object* fresh = again.get();
  EXPECT_EQ(interner.intern(std::move(again)).get(), fresh);
}

TEST(ObjectInterner, ObjectsWithoutIdentityPassThrough) {
  ObjectInterner interner;
  auto anonymous = std::make_shared<const json::object>(json::object{{"kind", "Status"}});
  EXPECT_EQ(interner.intern(anonymous).get(), anonymous.get());
  EXPECT_EQ(interner.size(), 0u);
}

TEST(ObjectInterner, ReleasedVersionsAreSwept) {
  ObjectInterner interner;
  ObjectInterner::ObjectPtr kept = interner.intern(pod("kept", "1"));
  for (int i = 0; i < 20000; ++i) interner.intern(pod("u" + std::to_string(i), "1"));
  // Only `kept` is alive; the map never holds far more than the sweep allows.
  EXPECT_LT(interner.size(), 2100u);
  EXPECT_EQ(interner.intern(pod("kept", "1")).get(), kept.get());
}

}  // namespace
}  // namespace kcpp::client
