// Registry: create, namespaces, update, patch and scale.
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {
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

TEST_F(RegistryTest, DeploymentStatusWritesCarryAnnotationsButNotLabels) {
  // Upstream's deploymentStatusStrategy resets only spec and labels: the
  // deployment controller records its revision annotation with a status write.
  Registry& deploys = add("apps", "deployments");
  json::object created = create(deploys, ns, deployment("web"));
  json::object body = created;
  body["metadata"].as_object()["annotations"] = parse(R"({"deployment.kubernetes.io/revision":"1"})");
  body["metadata"].as_object()["labels"] = parse(R"({"forged":"yes"})");
  body["spec"].as_object()["replicas"] = 9;
  body["status"] = parse(R"({"observedGeneration":1})");
  auto written = update(deploys, ns, "web", body, Subresource::Status);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(written->at("metadata").at("annotations").at("deployment.kubernetes.io/revision"), "1");
  EXPECT_EQ(api::findPath(*written, "metadata.labels.forged"), nullptr);
  EXPECT_NE(at(*written, "spec.replicas"), 9);
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

TEST_F(RegistryTest, APatchWhoseResultHasAWrongTypeIs422AndStoresNothing) {
  auto schemas = api::SchemaSet::loadBuiltin();
  ASSERT_TRUE(schemas) << schemas.error().message;
  Registry& cms = add("", "configmaps");
  cms.setPatchSchemas(*schemas);
  create(cms, ns, configMap("a"));
  for (PatchType type : {PatchType::Merge, PatchType::StrategicMerge, PatchType::Json}) {
    std::string body = type == PatchType::Json ? R"([{"op":"replace","path":"/data/a","value":{"x":1}}])"
                                               : R"({"data":{"a":{"x":1}}})";
    auto patched = patch(cms, "a", type, body);
    ASSERT_FALSE(patched.ok());
    EXPECT_EQ(patched.error().code(), 422);
    EXPECT_TRUE(patched.error().message.starts_with(R"( "" is invalid: patch: Invalid value: "{)"))
        << patched.error().message;
    EXPECT_TRUE(patched.error().message.ends_with(
        "json: cannot unmarshal object into Go struct field ConfigMap.data of type string"))
        << patched.error().message;
    ASSERT_EQ(patched.error().causes.size(), 1u);
    EXPECT_EQ(patched.error().causes[0].field, "patch");
  }
  EXPECT_EQ(str(*get(cms, ns, "a"), "data.a"), "1");
  // Unknown fields in the result are dropped, as decoding into the type drops them.
  auto pruned = patch(cms, "a", PatchType::Merge, R"({"bogus":1,"data":{"a":"2"}})");
  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  EXPECT_FALSE(pruned->contains("bogus"));
  EXPECT_EQ(str(*get(cms, ns, "a"), "data.a"), "2");
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

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
