// kcpp_smp_bench: strategic merge patch of a realistic ~2 KB apps/v1 Deployment
// (two containers with ports, env, resources, probes, volumeMounts; volumes;
// labels and annotations) with the patches kubectl typically sends:
//   SetImage  — kubectl set image: containers by merge key, one image changed;
//   Apply     — kubectl apply: $setElementOrder/containers, a changed env value,
//               a label removed (null);
//   Replicas  — kubectl scale / patch: spec.replicas.
// Each case is measured twice:
//   BM_Apply_*  applyStrategicMergePatch — the apiserver's step: parse the body,
//               merge, drop nulls/leftover directives (strict decoding);
//   BM_Merge_*  strategicMergePatch on already-decoded objects (the copies of
//               the two objects it takes by value are included).
// Target (issue): <= 50 us per strategic merge of a 2 KB object.
//
//   kcpp_smp_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "api/patch/patch_type.h"
#include "api/patch/strategic_merge.h"
#include "api/schema/schema_set.h"

namespace {

namespace json = boost::json;
using namespace kcpp;

constexpr std::string_view kDeployment = R"({
"apiVersion":"apps/v1","kind":"Deployment",
"metadata":{"name":"web","namespace":"shop","uid":"5f0c2a4e-8d0b-4c1e-9a57-2b1f3c4d5e6f",
 "resourceVersion":"123456","generation":7,"creationTimestamp":"2024-05-01T10:00:00Z",
 "labels":{"app":"web","tier":"frontend","team":"checkout","env":"prod"},
 "annotations":{"deployment.kubernetes.io/revision":"7","owner":"checkout-team"}},
"spec":{"replicas":3,"revisionHistoryLimit":10,
 "selector":{"matchLabels":{"app":"web"}},
 "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
 "template":{"metadata":{"labels":{"app":"web","tier":"frontend"}},
  "spec":{"serviceAccountName":"web","terminationGracePeriodSeconds":30,
   "containers":[
    {"name":"web","image":"registry.example.com/shop/web:1.4.2","imagePullPolicy":"IfNotPresent",
     "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,"protocol":"TCP"}],
     "env":[{"name":"LOG_LEVEL","value":"info"},{"name":"DB_HOST","value":"postgres.shop.svc"},
      {"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
     "resources":{"requests":{"cpu":"250m","memory":"256Mi"},"limits":{"cpu":"1","memory":"512Mi"}},
     "livenessProbe":{"httpGet":{"path":"/healthz","port":8080},"initialDelaySeconds":10,"periodSeconds":10},
     "readinessProbe":{"httpGet":{"path":"/ready","port":8080},"periodSeconds":5},
     "volumeMounts":[{"name":"config","mountPath":"/etc/web","readOnly":true},{"name":"cache","mountPath":"/var/cache/web"}]},
    {"name":"sidecar","image":"registry.example.com/infra/proxy:2.1.0",
     "args":["--upstream=127.0.0.1:8080"],
     "ports":[{"name":"https","containerPort":8443,"protocol":"TCP"}],
     "env":[{"name":"PROXY_MODE","value":"tls"}],
     "resources":{"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"128Mi"}},
     "readinessProbe":{"tcpSocket":{"port":8443},"periodSeconds":10},
     "volumeMounts":[{"name":"tls","mountPath":"/etc/tls","readOnly":true}]}],
   "volumes":[{"name":"config","configMap":{"name":"web-config"}},
    {"name":"cache","emptyDir":{}},{"name":"tls","secret":{"secretName":"web-tls"}}]}}},
"status":{"observedGeneration":7,"replicas":3,"updatedReplicas":3,"readyReplicas":3,"availableReplicas":3}
})";

// kubectl set image deployment/web web=registry.example.com/shop/web:1.5.0
constexpr std::string_view kSetImage =
    R"({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example.com/shop/web:1.5.0"}]}}}})";

// kubectl apply (three-way merge): a label dropped from the manifest, an env
// value changed, the list orders kubectl sends.
constexpr std::string_view kApply = R"({"metadata":{"labels":{"env":null},
"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"}}"}},
"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
"containers":[{"$setElementOrder/env":[{"name":"LOG_LEVEL"},{"name":"DB_HOST"},{"name":"POD_NAME"}],
"env":[{"name":"LOG_LEVEL","value":"debug"}],"name":"web"}]}}}})";

// kubectl scale --replicas=5 (as a patch)
constexpr std::string_view kReplicas = R"({"spec":{"replicas":5}})";

struct Fixture {
  api::SchemaSet schemas;
  std::string root;
  json::value doc;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    auto schemas = api::SchemaSet::loadBuiltin();
    if (!schemas) {
      std::fprintf(stderr, "loadBuiltin: %s\n", schemas.error().message.c_str());
      std::exit(1);
    }
    Fixture fx{std::move(schemas).value(), {}, json::parse(kDeployment)};
    fx.root = fx.schemas.rootName("apps", "v1", "Deployment");
    if (fx.root.empty()) {
      std::fprintf(stderr, "no apps/v1 Deployment schema\n");
      std::exit(1);
    }
    return fx;
  }();
  return f;
}

// The patched object is what kubectl expects (aborts otherwise).
void check(const json::value& v, std::string_view patch) {
  const auto* p = v.as_object().if_contains("spec");
  const auto& spec = p->as_object();
  const auto& containers = spec.at("template").at("spec").at("containers").as_array();
  bool ok = containers.size() == 2 && containers[0].at("name") == "web";
  if (patch == kSetImage) ok = ok && containers[0].at("image") == "registry.example.com/shop/web:1.5.0";
  if (patch == kApply) {
    const auto& env = containers[0].at("env").as_array();
    ok = ok && !v.at("metadata").at("labels").as_object().contains("env") && env.size() == 3 &&
         env[0].at("value") == "debug" && env[2].at("name") == "POD_NAME";
  }
  if (patch == kReplicas) ok = ok && spec.at("replicas") == 5;
  if (!ok) {
    std::fprintf(stderr, "unexpected result: %s\n", json::serialize(v).c_str());
    std::abort();
  }
}

void BM_Apply(benchmark::State& state, std::string_view patch) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    auto r = patch::applyStrategicMergePatch(f.doc, patch, f.schemas, f.root, patch::Decoding::Strict);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  check(patch::applyStrategicMergePatch(f.doc, patch, f.schemas, f.root, patch::Decoding::Strict)->object,
        patch);
  state.counters["object_bytes"] = static_cast<double>(json::serialize(f.doc).size());
  state.counters["patch_bytes"] = static_cast<double>(json::serialize(json::parse(patch)).size());
}

void BM_Merge(benchmark::State& state, std::string_view patch) {
  const Fixture& f = fixture();
  const json::object& original = f.doc.as_object();
  const json::object patchObject = json::parse(patch).as_object();
  for (auto _ : state) {
    auto r = patch::strategicMergePatch(original, patchObject, f.schemas, f.root);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

BENCHMARK_CAPTURE(BM_Apply, SetImage, kSetImage)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Apply, Apply, kApply)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Apply, Replicas, kReplicas)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Merge, SetImage, kSetImage)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Merge, Apply, kApply)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Merge, Replicas, kReplicas)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
