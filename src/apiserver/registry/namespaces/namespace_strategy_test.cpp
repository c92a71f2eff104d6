// NamespaceStrategy: the "kubernetes" finalizer, phase, name label, and deletion
// that turns a namespace Terminating; alone and through a Registry.
#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "util/run_to_completion.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <optional>

#include "api/meta/object.h"
#include "api/schema/resource_type.h"
#include "apiserver/registry/registry.h"
#include "storage/memory/memory_store.h"

namespace kcpp::apiserver {
namespace {

namespace asio = boost::asio;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

const json::value* at(const json::object& obj, std::string_view path) {
  return api::findPath(obj, path);
}

TEST(NamespaceStrategy, CreateAddsFinalizerPhaseAndNameLabel) {
  NamespaceStrategy strategy;
  json::object ns = parse(R"({"metadata":{"name":"team","labels":{"a":"b"}},
                              "status":{"phase":"Terminating"}})");
  strategy.prepareForCreate(ns);
  EXPECT_EQ(*at(ns, "spec.finalizers"), json::array{"kubernetes"});
  EXPECT_EQ(*at(ns, "status.phase"), "Active");
  EXPECT_EQ(*at(ns, "metadata.labels"),
            parse(R"({"a":"b","kubernetes.io/metadata.name":"team"})"));
}

TEST(NamespaceStrategy, CreateKeepsOtherFinalizersWithoutDuplicates) {
  NamespaceStrategy strategy;
  json::object withOther = parse(R"({"metadata":{"name":"x"},"spec":{"finalizers":["example.com/f"]}})");
  strategy.prepareForCreate(withOther);
  EXPECT_EQ(*at(withOther, "spec.finalizers"), (json::array{"example.com/f", "kubernetes"}));

  json::object already = parse(R"({"metadata":{"name":"x"},"spec":{"finalizers":["kubernetes"]}})");
  strategy.prepareForCreate(already);
  EXPECT_EQ(*at(already, "spec.finalizers"), json::array{"kubernetes"});
}

TEST(NamespaceStrategy, NameLabelCannotBeChanged) {
  NamespaceStrategy strategy;
  json::object ns = parse(R"({"metadata":{"name":"team",
                                          "labels":{"kubernetes.io/metadata.name":"other"}}})");
  strategy.prepareForCreate(ns);
  EXPECT_EQ(*at(ns, "metadata.labels"), parse(R"({"kubernetes.io/metadata.name":"team"})"));

  json::object old = ns;
  json::object update = parse(R"({"metadata":{"name":"team","labels":{"x":"y"}}})");
  strategy.prepareForUpdate(update, old);
  EXPECT_EQ(*at(update, "metadata.labels"),
            parse(R"({"x":"y","kubernetes.io/metadata.name":"team"})"));
}

TEST(NamespaceStrategy, UpdateKeepsSpecFinalizers) {
  NamespaceStrategy strategy;
  json::object old = parse(R"({"metadata":{"name":"team"},"spec":{"finalizers":["kubernetes"]}})");
  json::object dropped = parse(R"({"metadata":{"name":"team"},"spec":{"finalizers":[]}})");
  strategy.prepareForUpdate(dropped, old);
  EXPECT_EQ(*at(dropped, "spec.finalizers"), json::array{"kubernetes"});

  json::object finalized = parse(R"({"metadata":{"name":"team"},"spec":{}})");
  json::object added = parse(R"({"metadata":{"name":"team"},"spec":{"finalizers":["kubernetes"]}})");
  strategy.prepareForUpdate(added, finalized);
  EXPECT_EQ(at(added, "spec.finalizers"), nullptr);
}

TEST(NamespaceStrategy, DeleteWithFinalizersTurnsTerminating) {
  NamespaceStrategy strategy;
  json::object ns = parse(R"({"metadata":{"name":"team"},"spec":{"finalizers":["kubernetes"]},
                              "status":{"phase":"Active"}})");
  ASSERT_TRUE(strategy.keepOnDelete(ns));
  EXPECT_EQ(*at(ns, "status.phase"), "Terminating");
  ASSERT_NE(at(ns, "metadata.deletionTimestamp"), nullptr);
  EXPECT_TRUE(api::parseTime(at(ns, "metadata.deletionTimestamp")->as_string()).has_value());
  EXPECT_EQ(*at(ns, "metadata.deletionGracePeriodSeconds"), 0);

  // A second delete keeps the first deletionTimestamp.
  json::object again = ns;
  again["metadata"].as_object()["deletionTimestamp"] = "2020-01-01T00:00:00Z";
  ASSERT_TRUE(strategy.keepOnDelete(again));
  EXPECT_EQ(*at(again, "metadata.deletionTimestamp"), "2020-01-01T00:00:00Z");
}

TEST(NamespaceStrategy, DeleteWithoutFinalizersIsImmediate) {
  NamespaceStrategy strategy;
  json::object ns = parse(R"({"metadata":{"name":"team"},"spec":{"finalizers":[]},
                              "status":{"phase":"Terminating"}})");
  json::object before = ns;
  EXPECT_FALSE(strategy.keepOnDelete(ns));
  EXPECT_EQ(ns, before);
}

// --- through a Registry ------------------------------------------------------------

class NamespaceRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (api::ResourceType& type : api::builtinResources()) {
      if (type.group.empty() && type.resource == "namespaces") {
        namespaces = std::make_unique<Registry>(std::move(type), *store,
                                                std::make_unique<NamespaceStrategy>());
      }
    }
    ASSERT_TRUE(namespaces);
    ASSERT_TRUE(await(namespaces->start()).ok());
  }

  template <class T>
  T await(asio::awaitable<T> work) {
    return runToCompletion(io, std::move(work));
  }

  Result<json::object> get() {
    auto found = await(namespaces->get(none, name));
    if (!found) return std::move(found).error();
    return api::parseJson(*found->json)->as_object();
  }

  asio::io_context io;
  std::unique_ptr<storage::MemoryStore> store = storage::makeMemoryStore();
  RegistryPtr namespaces;
  WriteOptions noOptions;
  DeleteOptions deleteOptions;
  const std::string none;
  const std::string name = "team";
};

TEST_F(NamespaceRegistryTest, LifecycleFromActiveThroughTerminatingToGone) {
  json::object body = parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}})");
  auto created = await(namespaces->create(none, body, noOptions));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(*at(*created, "status.phase"), "Active");
  EXPECT_EQ(*at(*created, "spec.finalizers"), json::array{"kubernetes"});
  EXPECT_EQ(*at(*created, "metadata.labels"), parse(R"({"kubernetes.io/metadata.name":"team"})"));
  EXPECT_EQ(at(*created, "metadata.namespace"), nullptr);

  // A main-resource update cannot drop spec.finalizers.
  json::object drop = *created;
  drop["spec"] = parse(R"({"finalizers":[]})");
  auto updated = await(namespaces->update(none, name, drop, Subresource::None, noOptions));
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(*at(*updated, "spec.finalizers"), json::array{"kubernetes"});

  // DELETE: Terminating, still there.
  auto deleted = await(namespaces->remove(none, name, deleteOptions));
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_FALSE(deleted->deleted);
  EXPECT_EQ(*at(deleted->object, "status.phase"), "Terminating");
  auto terminating = get();
  ASSERT_TRUE(terminating.ok());
  EXPECT_EQ(*at(*terminating, "status.phase"), "Terminating");
  EXPECT_NE(at(*terminating, "metadata.deletionTimestamp"), nullptr);

  // /finalize emptying spec.finalizers of a Terminating namespace removes it
  // (upstream's ShouldDeleteNamespaceDuringUpdate).
  json::object finalize = *terminating;
  finalize["spec"] = parse(R"({"finalizers":[]})");
  auto finalized = await(namespaces->update(none, name, finalize, Subresource::Finalize, noOptions));
  ASSERT_TRUE(finalized.ok()) << finalized.error().message;
  EXPECT_EQ(*at(*finalized, "spec.finalizers"), json::array());
  auto missing = get();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "namespaces \"team\" not found");
}

TEST_F(NamespaceRegistryTest, FinalizeOfAnActiveNamespaceKeepsIt) {
  json::object body = parse(R"({"metadata":{"name":"team"}})");
  ASSERT_TRUE(await(namespaces->create(none, body, noOptions)).ok());
  json::object finalize = parse(R"({"metadata":{"name":"team"},"spec":{"finalizers":[]}})");
  auto finalized = await(namespaces->update(none, name, finalize, Subresource::Finalize, noOptions));
  ASSERT_TRUE(finalized.ok()) << finalized.error().message;
  auto kept = get();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*at(*kept, "spec.finalizers"), json::array());
  EXPECT_EQ(*at(*kept, "status.phase"), "Active");
}

TEST_F(NamespaceRegistryTest, StatusUpdateCannotChangeSpec) {
  json::object body = parse(R"({"metadata":{"name":"team"}})");
  ASSERT_TRUE(await(namespaces->create(none, body, noOptions)).ok());
  json::object status = parse(R"({"metadata":{"name":"team"},"spec":{"finalizers":[]},
                                  "status":{"phase":"Active","conditions":[]}})");
  auto updated = await(namespaces->update(none, name, status, Subresource::Status, noOptions));
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(*at(*updated, "spec.finalizers"), json::array{"kubernetes"});
  EXPECT_EQ(*at(*updated, "status.conditions"), json::array());
}

}  // namespace
}  // namespace kcpp::apiserver
