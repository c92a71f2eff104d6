// Registry: the generic metadata rules, optimistic concurrency, subresources,
// patches and deletion, driven directly (no HTTP) over the in-memory store.
#include "apiserver/registry/registry.h"
#include "util/run_to_completion.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "api/meta/object.h"
#include "storage/memory/memory_store.h"

namespace kcpp::apiserver {
namespace {

namespace asio = boost::asio;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

const json::value& at(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  static const json::value kMissing;
  return v ? *v : kMissing;
}

std::string str(const json::object& obj, std::string_view path) {
  const json::value& v = at(obj, path);
  return v.is_string() ? std::string(v.get_string()) : "";
}

class RegistryTest : public ::testing::Test {
 protected:
  // Runs an awaitable on io to completion and returns its result.
  template <class T>
  T await(asio::awaitable<T> work) {
    return runToCompletion(io, std::move(work));
  }

  // A started Registry for a built-in resource, as the server builds them.
  Registry& add(const std::string& group, const std::string& resource,
                StrategyPtr strategy = nullptr) {
    for (api::ResourceType& type : api::builtinResources()) {
      if (type.group != group || type.resource != resource) continue;
      registries.push_back(std::make_unique<Registry>(std::move(type), *store, std::move(strategy)));
      Registry& r = *registries.back();
      auto started = await(r.start());
      EXPECT_TRUE(started.ok());
      return r;
    }
    ADD_FAILURE() << "no built-in resource " << group << "/" << resource;
    std::abort();
  }

  json::object create(Registry& r, const std::string& ns, json::object obj) {
    auto created = await(r.create(ns, std::move(obj), noOptions));
    EXPECT_TRUE(created.ok()) << (created ? "" : created.error().message);
    return created ? *created : json::object();
  }

  Result<json::object> get(Registry& r, const std::string& ns, const std::string& name) {
    auto found = await(r.get(ns, name));
    if (!found) return std::move(found).error();
    return api::parseJson(*found->json)->as_object();
  }

  Result<json::object> update(Registry& r, const std::string& ns, const std::string& name,
                              json::object body, Subresource sub = Subresource::None) {
    return await(r.update(ns, name, std::move(body), sub, noOptions));
  }

  Result<json::object> patch(Registry& r, const std::string& name, PatchType type,
                             std::string body, Subresource sub = Subresource::None) {
    return await(r.patch(ns, name, type, std::move(body), sub, noOptions));
  }

  std::size_t count(Registry& r, const std::string& inNs) {
    storage::ListOptions options;
    auto listed = await(r.list(inNs, std::move(options)));
    EXPECT_TRUE(listed.ok());
    return listed ? listed->items.size() : 0;
  }

  static json::object configMap(const std::string& name) {
    json::object obj = parse(R"({"apiVersion":"v1","kind":"ConfigMap","data":{"a":"1"}})");
    api::ensureObject(obj, "metadata")["name"] = name;
    return obj;
  }

  static json::object deployment(const std::string& name) {
    json::object obj = parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
              "template":{"metadata":{"labels":{"app":"web"}},
                          "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})");
    api::ensureObject(obj, "metadata")["name"] = name;
    return obj;
  }

  // Declared in destruction order: registries (their caches) before the store,
  // the store before the io_context its events are posted to.
  asio::io_context io;
  std::unique_ptr<storage::MemoryStore> store = storage::makeMemoryStore();
  std::vector<RegistryPtr> registries;
  WriteOptions noOptions;
  const std::string ns = "default";
};

// --- create ----------------------------------------------------------------

TEST_F(RegistryTest, CreateSetsSystemMetadata) {
  Registry& cms = add("", "configmaps");
  json::object body = configMap("a");
  api::ensureObject(body, "metadata")["uid"] = "client-chosen";
  api::ensureObject(body, "metadata")["generation"] = 7;
  json::object created = create(cms, ns, body);

  EXPECT_EQ(str(created, "kind"), "ConfigMap");
  EXPECT_EQ(str(created, "apiVersion"), "v1");
  EXPECT_EQ(str(created, "metadata.namespace"), "default");
  std::string uid = str(created, "metadata.uid");
  EXPECT_EQ(uid.size(), 36u);
  EXPECT_NE(uid, "client-chosen");
  EXPECT_TRUE(api::parseTime(str(created, "metadata.creationTimestamp")).has_value());
  // ConfigMaps do not track generation: a client's value is dropped.
  EXPECT_EQ(api::findPath(created, "metadata.generation"), nullptr);
  std::string rv = str(created, "metadata.resourceVersion");
  EXPECT_EQ(rv, std::to_string(store->currentRevisionNow()));

  auto stored = get(cms, ns, "a");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(str(*stored, "metadata.uid"), uid);
  EXPECT_EQ(str(*stored, "metadata.resourceVersion"), rv);
  EXPECT_EQ(str(*stored, "data.a"), "1");

  // Two objects never share a uid.
  json::object other = create(cms, ns, configMap("b"));
  EXPECT_NE(str(other, "metadata.uid"), uid);
}

TEST_F(RegistryTest, CreateOfGenerationTrackingTypeStartsAtOneWithEmptyStatus) {
  Registry& deploys = add("apps", "deployments");
  json::object body = deployment("web");
  body["status"] = parse(R"({"replicas":5})");
  json::object created = create(deploys, ns, body);
  EXPECT_EQ(at(created, "metadata.generation"), 1);
  // A client's status is not taken on create.
  EXPECT_EQ(at(created, "status"), json::object());
}

TEST_F(RegistryTest, GenerateNameAddsFiveCharacterSuffix) {
  Registry& cms = add("", "configmaps");
  json::object body = parse(R"({"metadata":{"generateName":"job-"}})");
  json::object first = create(cms, ns, body);
  json::object second = create(cms, ns, body);
  std::string name = str(first, "metadata.name");
  EXPECT_TRUE(name.starts_with("job-")) << name;
  EXPECT_EQ(name.size(), 4u + 5u);
  EXPECT_NE(name, str(second, "metadata.name"));
  EXPECT_TRUE(get(cms, ns, name).ok());

  // A long prefix is cut so that the name stays within 63 characters.
  json::object longBody;
  api::ensureObject(longBody, "metadata")["generateName"] = std::string(70, 'x');
  EXPECT_EQ(str(create(cms, ns, longBody), "metadata.name").size(), 63u);
}

TEST_F(RegistryTest, InvalidNameIs422WithUpstreamMessageAndCauses) {
  Registry& cms = add("", "configmaps");
  auto created = await(cms.create(ns, configMap("Bad_Name"), noOptions));
  ASSERT_FALSE(created.ok());
  const Error& e = created.error();
  EXPECT_EQ(e.code(), 422);
  EXPECT_EQ(e.reason, Reason::Invalid);
  const std::string detail =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
      "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
      "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  EXPECT_EQ(e.message, "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: "
                       "\"Bad_Name\": " + detail);
  EXPECT_EQ(e.kind, "ConfigMap");
  EXPECT_EQ(e.name, "Bad_Name");
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].type, "FieldValueInvalid");
  EXPECT_EQ(e.causes[0].field, "metadata.name");
  EXPECT_EQ(e.causes[0].message, "Invalid value: \"Bad_Name\": " + detail);
  EXPECT_EQ(count(cms, ns), 0u);
}

TEST_F(RegistryTest, MissingNameIs422Required) {
  Registry& cms = add("", "configmaps");
  json::object body = parse(R"({"data":{}})");
  auto created = await(cms.create(ns, body, noOptions));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 422);
  EXPECT_EQ(created.error().message,
            "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is "
            "required");
  ASSERT_EQ(created.error().causes.size(), 1u);
  EXPECT_EQ(created.error().causes[0].type, "FieldValueRequired");
}

TEST_F(RegistryTest, NamespaceNamesAreDns1123Labels) {
  Registry& namespaces = add("", "namespaces");
  json::object body = parse(R"({"metadata":{"name":"has.dot"}})");
  auto created = await(namespaces.create("", body, noOptions));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 422);
  EXPECT_NE(created.error().message.find("a lowercase RFC 1123 label must consist"),
            std::string::npos)
      << created.error().message;
}

TEST_F(RegistryTest, CreatingAnExistingNameIs409AlreadyExists) {
  Registry& cms = add("", "configmaps");
  create(cms, ns, configMap("a"));
  auto again = await(cms.create(ns, configMap("a"), noOptions));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), 409);
  EXPECT_EQ(again.error().reason, Reason::AlreadyExists);
  EXPECT_EQ(again.error().message, "configmaps \"a\" already exists");
  EXPECT_EQ(again.error().kind, "configmaps");
  EXPECT_EQ(again.error().name, "a");

  // The same name in another namespace is another object.
  const std::string other = "other";
  EXPECT_TRUE(await(cms.create(other, configMap("a"), noOptions)).ok());

  // Grouped resources qualify the resource in the message.
  Registry& deploys = add("apps", "deployments");
  create(deploys, ns, deployment("web"));
  auto dup = await(deploys.create(ns, deployment("web"), noOptions));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message, "deployments.apps \"web\" already exists");
  EXPECT_EQ(dup.error().group, "apps");
}

TEST_F(RegistryTest, CreateWithResourceVersionIsRejected) {
  Registry& cms = add("", "configmaps");
  json::object body = configMap("a");
  api::ensureObject(body, "metadata")["resourceVersion"] = "5";
  auto created = await(cms.create(ns, body, noOptions));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().message, "resourceVersion should not be set on objects to be created");
  EXPECT_EQ(created.error().code(), 500);
  EXPECT_EQ(count(cms, ns), 0u);
}

TEST_F(RegistryTest, CreateChecksKindAndNamespaceOfTheBody) {
  Registry& cms = add("", "configmaps");
  json::object wrongKind = configMap("a");
  wrongKind["kind"] = "Secret";
  auto created = await(cms.create(ns, wrongKind, noOptions));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 400);
  EXPECT_EQ(created.error().message,
            "the API version in the data (v1) and kind (Secret) do not match the resource v1, "
            "Kind=ConfigMap");

  json::object wrongNs = configMap("a");
  api::ensureObject(wrongNs, "metadata")["namespace"] = "elsewhere";
  auto mismatched = await(cms.create(ns, wrongNs, noOptions));
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.error().code(), 400);
  EXPECT_EQ(mismatched.error().message,
            "the namespace of the provided object does not match the namespace sent on the "
            "request");
}

// --- namespaces (NamespaceLifecycle) -----------------------------------------

class RegistryNamespaceTest : public RegistryTest {
 protected:
  // Namespaces the lookup knows, by name, with their phase.
  void useNamespaces(Registry& r) {
    r.setNamespaceLookup([this](const std::string& name)
                             -> asio::awaitable<std::optional<storage::CachedObject>> {
      auto it = phases.find(name);
      if (it == phases.end()) co_return std::nullopt;
      json::object obj;
      api::ensureObject(obj, "metadata")["name"] = name;
      api::ensureObject(obj, "status")["phase"] = it->second;
      storage::CachedObject found;
      found.key = "/registry/namespaces/" + name;
      found.json = std::make_shared<const std::string>(json::serialize(obj));
      co_return found;
    });
  }
  std::map<std::string, std::string> phases = {{"default", "Active"}, {"gone", "Terminating"}};
};

TEST_F(RegistryNamespaceTest, CreateInMissingNamespaceIs404) {
  Registry& cms = add("", "configmaps");
  useNamespaces(cms);
  const std::string missing = "missing";
  auto created = await(cms.create(missing, configMap("a"), noOptions));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 404);
  EXPECT_EQ(created.error().message, "namespaces \"missing\" not found");
  EXPECT_EQ(created.error().kind, "namespaces");
  EXPECT_EQ(count(cms, ""), 0u);

  EXPECT_TRUE(await(cms.create(ns, configMap("a"), noOptions)).ok());
}

TEST_F(RegistryNamespaceTest, CreateInTerminatingNamespaceIs403) {
  Registry& cms = add("", "configmaps");
  useNamespaces(cms);
  const std::string gone = "gone";
  auto created = await(cms.create(gone, configMap("a"), noOptions));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 403);
  EXPECT_EQ(created.error().reason, Reason::Forbidden);
  EXPECT_EQ(created.error().message,
            "unable to create new content in namespace gone because it is being terminated");
  EXPECT_EQ(created.error().kind, "configmaps");
  EXPECT_EQ(count(cms, ""), 0u);
}

TEST_F(RegistryNamespaceTest, ClusterScopedObjectsIgnoreNamespaces) {
  Registry& classes = add("storage.k8s.io", "storageclasses");
  useNamespaces(classes);
  json::object body = parse(R"({"metadata":{"name":"fast","namespace":"missing"},
                                "provisioner":"x"})");
  auto created = await(classes.create("", body, noOptions));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(api::findPath(*created, "metadata.namespace"), nullptr);
  EXPECT_EQ(classes.key("", "fast"), "/registry/storageclasses/fast");
}

// --- update ------------------------------------------------------------------

TEST_F(RegistryTest, UpdateWithStaleResourceVersionIs409Conflict) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  json::object first = created;
  first["data"] = parse(R"({"a":"2"})");
  auto updated = update(cms, ns, "a", first);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_NE(str(*updated, "metadata.resourceVersion"), str(created, "metadata.resourceVersion"));

  json::object stale = created;  // still carries the first resourceVersion
  stale["data"] = parse(R"({"a":"3"})");
  auto conflict = update(cms, ns, "a", stale);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code(), 409);
  EXPECT_EQ(conflict.error().reason, Reason::Conflict);
  EXPECT_EQ(conflict.error().message,
            "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; "
            "please apply your changes to the latest version and try again");
  EXPECT_EQ(str(*get(cms, ns, "a"), "data.a"), "2");
}

TEST_F(RegistryTest, UpdateWithoutResourceVersionOverwrites) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  json::object body = parse(R"({"metadata":{"name":"a","labels":{"x":"y"}},"data":{"a":"9"}})");
  auto updated = update(cms, ns, "a", body);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(str(*updated, "data.a"), "9");
  EXPECT_EQ(str(*updated, "metadata.labels.x"), "y");
  // System metadata comes from the stored object, not from the body.
  EXPECT_EQ(str(*updated, "metadata.uid"), str(created, "metadata.uid"));
  EXPECT_EQ(str(*updated, "metadata.creationTimestamp"),
            str(created, "metadata.creationTimestamp"));
  EXPECT_EQ(str(*updated, "metadata.namespace"), "default");
  EXPECT_EQ(str(*updated, "metadata.resourceVersion"),
            std::to_string(store->currentRevisionNow()));
  EXPECT_EQ(str(*get(cms, ns, "a"), "data.a"), "9");
}

TEST_F(RegistryTest, UpdateOfAbsentObjectIs404AndNameMismatchIs400) {
  Registry& cms = add("", "configmaps");
  auto missing = update(cms, ns, "nope", configMap("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), 404);
  EXPECT_EQ(missing.error().message, "configmaps \"nope\" not found");

  create(cms, ns, configMap("a"));
  auto renamed = update(cms, ns, "a", configMap("b"));
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.error().code(), 400);
  EXPECT_EQ(renamed.error().message,
            "the name of the object (b) does not match the name on the URL (a)");
}

TEST_F(RegistryTest, NoOpUpdateKeepsResourceVersion) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  auto revision = store->currentRevisionNow();
  auto same = update(cms, ns, "a", created);
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_EQ(str(*same, "metadata.resourceVersion"), str(created, "metadata.resourceVersion"));
  EXPECT_EQ(store->currentRevisionNow(), revision);
}

TEST_F(RegistryTest, MainUpdateKeepsStatusAndStatusUpdateOnlyChangesStatus) {
  Registry& deploys = add("apps", "deployments");
  create(deploys, ns, deployment("web"));

  json::object body = deployment("web");
  body["status"] = parse(R"({"replicas":9})");
  body["spec"].as_object()["replicas"] = 4;
  auto updated = update(deploys, ns, "web", body);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(at(*updated, "spec.replicas"), 4);
  EXPECT_EQ(at(*updated, "status"), json::object());

  json::object statusBody = deployment("web");
  statusBody["spec"].as_object()["replicas"] = 100;
  statusBody["metadata"].as_object()["labels"] = parse(R"({"sneaky":"yes"})");
  statusBody["status"] = parse(R"({"replicas":2,"readyReplicas":1})");
  auto status = update(deploys, ns, "web", statusBody, Subresource::Status);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(at(*status, "status.replicas"), 2);
  EXPECT_EQ(at(*status, "status.readyReplicas"), 1);
  EXPECT_EQ(at(*status, "spec.replicas"), 4);
  EXPECT_EQ(api::findPath(*status, "metadata.labels"), nullptr);

  auto stored = get(deploys, ns, "web");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(at(*stored, "spec.replicas"), 4);
  EXPECT_EQ(at(*stored, "status.replicas"), 2);
}

TEST_F(RegistryTest, GenerationBumpsOnlyOnSpecChange) {
  Registry& deploys = add("apps", "deployments");
  create(deploys, ns, deployment("web"));

  json::object labelsOnly = deployment("web");
  labelsOnly["metadata"].as_object()["labels"] = parse(R"({"tier":"front"})");
  auto relabelled = update(deploys, ns, "web", labelsOnly);
  ASSERT_TRUE(relabelled.ok()) << relabelled.error().message;
  EXPECT_EQ(at(*relabelled, "metadata.generation"), 1);

  json::object scaled = labelsOnly;
  scaled["spec"].as_object()["replicas"] = 5;
  auto bumped = update(deploys, ns, "web", scaled);
  ASSERT_TRUE(bumped.ok()) << bumped.error().message;
  EXPECT_EQ(at(*bumped, "metadata.generation"), 2);

  // A client cannot set generation itself.
  json::object forged = scaled;
  forged["metadata"].as_object()["generation"] = 40;
  auto kept = update(deploys, ns, "web", forged);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(at(*kept, "metadata.generation"), 2);

  json::object statusBody;
  statusBody["status"] = parse(R"({"observedGeneration":2})");
  auto status = update(deploys, ns, "web", statusBody, Subresource::Status);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(at(*status, "metadata.generation"), 2);
}

// --- patch -------------------------------------------------------------------

TEST_F(RegistryTest, MergePatchChangesAndRemovesFields) {
  Registry& cms = add("", "configmaps");
  create(cms, ns, configMap("a"));
  auto patched = patch(cms, "a", PatchType::Merge, R"({"data":{"b":"2"},"metadata":{"labels":{"l":"v"}}})");
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ(at(*patched, "data"), parse(R"({"a":"1","b":"2"})"));
  EXPECT_EQ(str(*patched, "metadata.labels.l"), "v");

  auto removed = patch(cms, "a", PatchType::Merge, R"({"data":{"a":null}})");
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(at(*removed, "data"), parse(R"({"b":"2"})"));
  EXPECT_EQ(at(*get(cms, ns, "a"), "data"), parse(R"({"b":"2"})"));
}

TEST_F(RegistryTest, JsonPatchAppliesOperations) {
  Registry& cms = add("", "configmaps");
  create(cms, ns, configMap("a"));
  auto patched = patch(cms, "a", PatchType::Json,
                       R"([{"op":"replace","path":"/data/a","value":"9"},
                           {"op":"add","path":"/data/c","value":"3"}])");
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ(at(*get(cms, ns, "a"), "data"), parse(R"({"a":"9","c":"3"})"));

  // A failed test operation changes nothing.
  auto failed = patch(cms, "a", PatchType::Json,
                      R"([{"op":"test","path":"/data/a","value":"1"},
                          {"op":"remove","path":"/data/a"}])");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(at(*get(cms, ns, "a"), "data"), parse(R"({"a":"9","c":"3"})"));
}

TEST_F(RegistryTest, PatchSettingAStaleResourceVersionConflicts) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  std::string oldRv = str(created, "metadata.resourceVersion");
  ASSERT_TRUE(patch(cms, "a", PatchType::Merge, R"({"data":{"a":"2"}})").ok());
  auto stale = patch(cms, "a", PatchType::Merge,
                     R"({"metadata":{"resourceVersion":")" + oldRv + R"("},"data":{"a":"3"}})");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().reason, Reason::Conflict);
  EXPECT_EQ(str(*get(cms, ns, "a"), "data.a"), "2");
}

TEST_F(RegistryTest, StrategicMergePatchNeedsTheSchemas) {
  Registry& cms = add("", "configmaps");
  create(cms, ns, configMap("a"));
  auto patched = patch(cms, "a", PatchType::StrategicMerge, R"({"data":{"b":"2"}})");
  ASSERT_FALSE(patched.ok());
  EXPECT_EQ(patched.error().code(), 415);
}

TEST_F(RegistryTest, StrategicMergePatchMergesListsByTheirKeys) {
  auto schemas = api::SchemaSet::loadBuiltin();
  ASSERT_TRUE(schemas) << schemas.error().message;
  Registry& deploys = add("apps", "deployments");
  deploys.setPatchSchemas(*schemas);
  json::object d = deployment("web");
  d["spec"].as_object()["template"].as_object()["spec"].as_object()["containers"].as_array().push_back(
      parse(R"({"name":"log","image":"fluentd"})"));
  create(deploys, ns, d);

  auto patched = patch(deploys, "web", PatchType::StrategicMerge,
                       R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}})");
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ(at(*patched, "spec.template.spec.containers"),
            json::parse(R"([{"name":"c","image":"nginx:2"},{"name":"log","image":"fluentd"}])"));
  EXPECT_EQ(at(*get(deploys, ns, "web"), "spec.template.spec.containers"), at(*patched, "spec.template.spec.containers"));

  // The scale subresource is patched as an autoscaling/v1 Scale.
  auto scaled = patch(deploys, "web", PatchType::StrategicMerge, R"({"spec":{"replicas":5}})", Subresource::Scale);
  ASSERT_TRUE(scaled.ok()) << scaled.error().message;
  EXPECT_EQ(str(*scaled, "kind"), "Scale");
  EXPECT_EQ(at(*get(deploys, ns, "web"), "spec.replicas"), 5);

  // The patch's errors come back as they are; apply patches stay unsupported.
  auto noKey = patch(deploys, "web", PatchType::StrategicMerge,
                     R"({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})");
  ASSERT_FALSE(noKey.ok());
  EXPECT_EQ(noKey.error().reason, Reason::Unknown);
  EXPECT_EQ(noKey.error().message, "map: map[image:x] does not contain declared merge key: name");
  auto apply = patch(deploys, "web", PatchType::ApplyYaml, "{}");
  ASSERT_FALSE(apply.ok());
  EXPECT_EQ(apply.error().code(), 415);
}

// --- scale -------------------------------------------------------------------

TEST_F(RegistryTest, ScaleGetAndUpdate) {
  Registry& deploys = add("apps", "deployments");
  json::object created = create(deploys, ns, deployment("web"));

  auto scale = await(deploys.getScale(ns, "web"));
  ASSERT_TRUE(scale.ok()) << scale.error().message;
  EXPECT_EQ(str(*scale, "kind"), "Scale");
  EXPECT_EQ(str(*scale, "apiVersion"), "autoscaling/v1");
  EXPECT_EQ(str(*scale, "metadata.name"), "web");
  EXPECT_EQ(str(*scale, "metadata.namespace"), "default");
  EXPECT_EQ(str(*scale, "metadata.uid"), str(created, "metadata.uid"));
  EXPECT_EQ(at(*scale, "spec.replicas"), 3);
  EXPECT_EQ(at(*scale, "status.replicas"), 0);
  EXPECT_EQ(str(*scale, "status.selector"), "app=web");

  json::object body = parse(R"({"kind":"Scale","apiVersion":"autoscaling/v1",
                                "metadata":{"name":"web"},"spec":{"replicas":5}})");
  auto scaled = update(deploys, ns, "web", body, Subresource::Scale);
  ASSERT_TRUE(scaled.ok()) << scaled.error().message;
  EXPECT_EQ(str(*scaled, "kind"), "Scale");
  EXPECT_EQ(at(*scaled, "spec.replicas"), 5);
  auto stored = get(deploys, ns, "web");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(at(*stored, "spec.replicas"), 5);
  EXPECT_EQ(at(*stored, "metadata.generation"), 2);

  auto patched = patch(deploys, "web", PatchType::Merge, R"({"spec":{"replicas":7}})",
                       Subresource::Scale);
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ(at(*patched, "spec.replicas"), 7);
  EXPECT_EQ(at(*get(deploys, ns, "web"), "spec.replicas"), 7);

  json::object noReplicas = parse(R"({"spec":{}})");
  auto invalid = update(deploys, ns, "web", noReplicas, Subresource::Scale);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code(), 422);
}

TEST_F(RegistryTest, ScaleOfMissingObjectIs404) {
  Registry& deploys = add("apps", "deployments");
  auto scale = await(deploys.getScale(ns, "nope"));
  ASSERT_FALSE(scale.ok());
  EXPECT_EQ(scale.error().message, "deployments.apps \"nope\" not found");
}

// --- delete ------------------------------------------------------------------

TEST_F(RegistryTest, DeleteRemovesTheObject) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  DeleteOptions options;
  auto deleted = await(cms.remove(ns, "a", options));
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(str(deleted->object, "metadata.uid"), str(created, "metadata.uid"));
  auto gone = get(cms, ns, "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), 404);

  auto again = await(cms.remove(ns, "a", options));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "configmaps \"a\" not found");
}

TEST_F(RegistryTest, DeleteWithFinalizersWaitsUntilTheyAreRemoved) {
  Registry& cms = add("", "configmaps");
  json::object body = configMap("a");
  body["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
  create(cms, ns, body);

  DeleteOptions options;
  auto deleted = await(cms.remove(ns, "a", options));
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_FALSE(deleted->deleted);
  std::string deletionTimestamp = str(deleted->object, "metadata.deletionTimestamp");
  EXPECT_TRUE(api::parseTime(deletionTimestamp).has_value()) << deletionTimestamp;
  EXPECT_EQ(at(deleted->object, "metadata.deletionGracePeriodSeconds"), 0);

  auto pending = get(cms, ns, "a");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(str(*pending, "metadata.deletionTimestamp"), deletionTimestamp);

  // Deleting again changes nothing.
  auto revision = store->currentRevisionNow();
  auto twice = await(cms.remove(ns, "a", options));
  ASSERT_TRUE(twice.ok());
  EXPECT_FALSE(twice->deleted);
  EXPECT_EQ(store->currentRevisionNow(), revision);

  // No new finalizers while being deleted.
  json::object more = *pending;
  more["metadata"].as_object()["finalizers"] = json::array{"example.com/hold", "example.com/new"};
  auto added = update(cms, ns, "a", more);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code(), 422);
  EXPECT_EQ(added.error().message,
            "ConfigMap \"a\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be "
            "added if the object is being deleted");

  // Other updates leave the object pending; deletionTimestamp is kept.
  json::object relabel = *pending;
  relabel["metadata"].as_object()["labels"] = parse(R"({"x":"y"})");
  relabel["metadata"].as_object().erase("deletionTimestamp");
  auto relabelled = update(cms, ns, "a", relabel);
  ASSERT_TRUE(relabelled.ok()) << relabelled.error().message;
  EXPECT_EQ(str(*relabelled, "metadata.deletionTimestamp"), deletionTimestamp);
  ASSERT_TRUE(get(cms, ns, "a").ok());

  // Removing the last finalizer completes the deletion.
  json::object released = *relabelled;
  released["metadata"].as_object().erase("finalizers");
  auto done = update(cms, ns, "a", released);
  ASSERT_TRUE(done.ok()) << done.error().message;
  auto gone = get(cms, ns, "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), 404);
}

TEST_F(RegistryTest, FinalizerRemovedByPatchCompletesDeletion) {
  Registry& cms = add("", "configmaps");
  json::object body = configMap("a");
  body["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
  create(cms, ns, body);
  DeleteOptions options;
  ASSERT_TRUE(await(cms.remove(ns, "a", options)).ok());
  ASSERT_TRUE(get(cms, ns, "a").ok());
  auto patched = patch(cms, "a", PatchType::Json, R"([{"op":"remove","path":"/metadata/finalizers"}])");
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_FALSE(get(cms, ns, "a").ok());
}

TEST_F(RegistryTest, ForegroundDeletionAddsItsFinalizer) {
  Registry& cms = add("", "configmaps");
  create(cms, ns, configMap("a"));
  DeleteOptions options;
  options.propagationPolicy = "Foreground";
  auto deleted = await(cms.remove(ns, "a", options));
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->deleted);
  EXPECT_EQ(at(*get(cms, ns, "a"), "metadata.finalizers"), json::array{"foregroundDeletion"});
}

TEST_F(RegistryTest, DeletePreconditionsConflict) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  std::string uid = str(created, "metadata.uid");
  std::string rv = str(created, "metadata.resourceVersion");

  DeleteOptions wrongUid;
  wrongUid.preconditionUid = "00000000-0000-0000-0000-000000000000";
  auto conflict = await(cms.remove(ns, "a", wrongUid));
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code(), 409);
  // Upstream's BeforeDelete wording, which names the Kind.
  EXPECT_EQ(conflict.error().message,
            "Operation cannot be fulfilled on ConfigMap \"a\": the UID in the precondition "
            "(00000000-0000-0000-0000-000000000000) does not match the UID in record (" + uid +
                "). The object might have been deleted and then recreated");
  EXPECT_EQ(conflict.error().reason, Reason::Conflict);
  EXPECT_TRUE(get(cms, ns, "a").ok());

  DeleteOptions wrongRv;
  wrongRv.preconditionResourceVersion = "1";
  auto rvConflict = await(cms.remove(ns, "a", wrongRv));
  ASSERT_FALSE(rvConflict.ok());
  EXPECT_EQ(rvConflict.error().message,
            "Operation cannot be fulfilled on ConfigMap \"a\": the ResourceVersion in the "
            "precondition (1) does not match the ResourceVersion in record (" + rv +
                "). The object might have been modified");

  // Grouped kinds are qualified by their group.
  Registry& deploys = add("apps", "deployments");
  create(deploys, ns, deployment("web"));
  auto grouped = await(deploys.remove(ns, "web", wrongUid));
  ASSERT_FALSE(grouped.ok());
  EXPECT_TRUE(grouped.error().message.starts_with(
      "Operation cannot be fulfilled on Deployment.apps \"web\": the UID in the precondition"))
      << grouped.error().message;

  DeleteOptions right;
  right.preconditionUid = uid;
  right.preconditionResourceVersion = rv;
  auto deleted = await(cms.remove(ns, "a", right));
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_TRUE(deleted->deleted);
}

// --- dryRun --------------------------------------------------------------------

TEST_F(RegistryTest, DryRunWritesNothing) {
  Registry& cms = add("", "configmaps");
  WriteOptions dryRun;
  dryRun.dryRun = true;
  auto revision = store->currentRevisionNow();
  auto created = await(cms.create(ns, configMap("a"), dryRun));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(str(*created, "metadata.name"), "a");
  EXPECT_FALSE(str(*created, "metadata.uid").empty());
  EXPECT_EQ(store->currentRevisionNow(), revision);
  EXPECT_FALSE(get(cms, ns, "a").ok());
  EXPECT_EQ(count(cms, ns), 0u);

  // Against existing objects: update and delete leave them as they are.
  create(cms, ns, configMap("b"));
  revision = store->currentRevisionNow();
  auto dupe = await(cms.create(ns, configMap("b"), dryRun));
  ASSERT_FALSE(dupe.ok());
  EXPECT_EQ(dupe.error().reason, Reason::AlreadyExists);
  json::object changed = configMap("b");
  changed["data"] = parse(R"({"a":"changed"})");
  auto updated = await(cms.update(ns, "b", changed, Subresource::None, dryRun));
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(str(*updated, "data.a"), "changed");
  DeleteOptions dryDelete;
  dryDelete.dryRun = true;
  auto deleted = await(cms.remove(ns, "b", dryDelete));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(store->currentRevisionNow(), revision);
  EXPECT_EQ(str(*get(cms, ns, "b"), "data.a"), "1");
}

// --- list and watch ----------------------------------------------------------------

TEST_F(RegistryTest, ListIsScopedToTheNamespace) {
  Registry& cms = add("", "configmaps");
  const std::string other = "other";
  create(cms, ns, configMap("a"));
  create(cms, ns, configMap("b"));
  create(cms, other, configMap("a"));
  EXPECT_EQ(count(cms, ns), 2u);
  EXPECT_EQ(count(cms, other), 1u);
  EXPECT_EQ(count(cms, ""), 3u);
  EXPECT_EQ(cms.prefix(ns), "/registry/configmaps/default/");
  EXPECT_EQ(cms.key(ns, "a"), "/registry/configmaps/default/a");
}

TEST_F(RegistryTest, WatchSeesWritesAfterARevision) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  storage::Revision after = std::stoll(str(created, "metadata.resourceVersion"));
  create(cms, ns, configMap("b"));
  DeleteOptions options;
  ASSERT_TRUE(await(cms.remove(ns, "a", options)).ok());

  auto watcher = cms.watch(ns, nullptr, after, false);
  ASSERT_TRUE(watcher.ok()) << watcher.error().message;
  // The cache applies the store's events on its own time: gather until both came.
  std::vector<storage::WatchEvent> events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (events.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    auto batch = await((*watcher)->next(std::chrono::milliseconds(200)));
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    for (auto& ev : *batch) {
      if (ev.type != storage::WatchEvent::Type::Bookmark) events.push_back(std::move(ev));
    }
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, storage::WatchEvent::Type::Added);
  EXPECT_EQ(events[0].object.key, "/registry/configmaps/default/b");
  EXPECT_EQ(events[1].type, storage::WatchEvent::Type::Deleted);
  EXPECT_EQ(events[1].object.key, "/registry/configmaps/default/a");
}

TEST_F(RegistryTest, StoredFormHasNoResourceVersion) {
  Registry& cms = add("", "configmaps");
  create(cms, ns, configMap("a"));
  auto raw = store->getNow("/registry/configmaps/default/a");
  ASSERT_TRUE(raw.ok());
  json::object stored = parse(raw->value);
  EXPECT_EQ(api::findPath(stored, "metadata.resourceVersion"), nullptr);
  EXPECT_EQ(str(stored, "metadata.name"), "a");
}

}  // namespace
}  // namespace kcpp::apiserver
