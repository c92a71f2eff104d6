#include "kubelet/kuberuntime/runtime_config.h"

#include <algorithm>
#include <sstream>

#include "api/meta/object.h"
#include "kubelet/kuberuntime/container_hash.h"
#include "kubelet/kuberuntime/qos.h"
#include "kubelet/kuberuntime/runtime_pod.h"

namespace kcpp::kubelet::kuberuntime {

namespace {

std::string str(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

bool flag(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_bool() && v->get_bool();
}

std::optional<std::int64_t> intAt(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<std::int64_t>();
}

void appendUnique(std::vector<std::string>& to, const std::string& v) {
  if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
}

std::vector<std::string> strings(const json::object& o, std::string_view path) {
  std::vector<std::string> out;
  const json::value* v = api::findPath(o, path);
  if (!v || !v->is_array()) return out;
  for (const auto& e : v->get_array()) {
    if (e.is_string()) out.emplace_back(e.get_string());
  }
  return out;
}

std::string optionName(const std::string& option) { return option.substr(0, option.find(':')); }

v1::NamespaceMode pidMode(const json::object& pod) {
  if (flag(pod, "spec.hostPID")) return v1::NODE;
  return flag(pod, "spec.shareProcessNamespace") ? v1::POD : v1::CONTAINER;
}

void setNamespaces(v1::NamespaceOption& ns, const json::object& pod) {
  ns.set_network(flag(pod, "spec.hostNetwork") ? v1::NODE : v1::POD);
  ns.set_ipc(flag(pod, "spec.hostIPC") ? v1::NODE : v1::POD);
  ns.set_pid(pidMode(pod));
}

v1::SecurityProfile seccompOf(const json::object* sc) {
  v1::SecurityProfile p;
  p.set_profile_type(v1::SecurityProfile::Unconfined);  // upstream's default without SeccompDefault
  const json::object* profile = sc ? api::findObject(*sc, "seccompProfile") : nullptr;
  if (!profile) return p;
  std::string type(api::getString(*profile, "type"));
  if (type == "RuntimeDefault") p.set_profile_type(v1::SecurityProfile::RuntimeDefault);
  if (type == "Localhost") {
    p.set_profile_type(v1::SecurityProfile::Localhost);
    p.set_localhost_ref(std::string(api::getString(*profile, "localhostProfile")));
  }
  return p;
}

// Container-level securityContext fields override the pod's.
std::optional<std::int64_t> effectiveInt(const json::object* podSc, const json::object* sc, const char* key) {
  if (sc) {
    if (const json::value* v = sc->if_contains(key); v && v->is_number()) return v->to_number<std::int64_t>();
  }
  if (podSc) {
    if (const json::value* v = podSc->if_contains(key); v && v->is_number()) return v->to_number<std::int64_t>();
  }
  return std::nullopt;
}

// /proc and /sys paths hidden or read-only for unprivileged containers
// (upstream's securitycontext.defaultMaskedPaths/defaultReadonlyPaths).
const char* const kMaskedPaths[] = {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
                                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                    "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                                    "/sys/devices/virtual/powercap"};
const char* const kReadonlyPaths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

v1::LinuxContainerSecurityContext containerSecurity(const json::object& pod, const json::object& container) {
  v1::LinuxContainerSecurityContext out;
  const json::object* podSc = nullptr;
  if (const json::object* spec = api::findObject(pod, "spec")) podSc = api::findObject(*spec, "securityContext");
  const json::object* sc = api::findObject(container, "securityContext");
  setNamespaces(*out.mutable_namespace_options(), pod);
  if (auto uid = effectiveInt(podSc, sc, "runAsUser")) out.mutable_run_as_user()->set_value(*uid);
  if (auto gid = effectiveInt(podSc, sc, "runAsGroup")) out.mutable_run_as_group()->set_value(*gid);
  if (podSc) {
    if (const json::value* groups = podSc->if_contains("supplementalGroups"); groups && groups->is_array()) {
      for (const auto& g : groups->get_array()) {
        if (g.is_number()) out.add_supplemental_groups(g.to_number<std::int64_t>());
      }
    }
    if (auto fsGroup = intAt(*podSc, "fsGroup")) out.add_supplemental_groups(*fsGroup);
  }
  bool privileged = sc && flag(*sc, "privileged");
  out.set_privileged(privileged);
  if (sc) {
    out.set_readonly_rootfs(flag(*sc, "readOnlyRootFilesystem"));
    // Only an explicit allowPrivilegeEscalation: false sets no_new_privs.
    const json::value* escalation = sc->if_contains("allowPrivilegeEscalation");
    out.set_no_new_privs(escalation && escalation->is_bool() && !escalation->get_bool());
    for (const auto& cap : strings(*sc, "capabilities.add")) out.mutable_capabilities()->add_add_capabilities(cap);
    for (const auto& cap : strings(*sc, "capabilities.drop")) out.mutable_capabilities()->add_drop_capabilities(cap);
  }
  *out.mutable_seccomp() = seccompOf(sc && sc->contains("seccompProfile") ? sc : podSc);
  bool unmasked = sc && api::getString(*sc, "procMount") == "Unmasked";
  if (!privileged && !unmasked) {
    for (const char* p : kMaskedPaths) out.add_masked_paths(p);
    for (const char* p : kReadonlyPaths) out.add_readonly_paths(p);
  }
  return out;
}

v1::MountPropagation propagationOf(const std::string& p) {
  if (p == "HostToContainer") return v1::PROPAGATION_HOST_TO_CONTAINER;
  if (p == "Bidirectional") return v1::PROPAGATION_BIDIRECTIONAL;
  return v1::PROPAGATION_PRIVATE;
}

v1::Protocol protocolOf(std::string_view p) {
  if (p == "UDP") return v1::UDP;
  if (p == "SCTP") return v1::SCTP;
  return v1::TCP;
}

void podLabels(const json::object& pod, google::protobuf::Map<std::string, std::string>& labels) {
  for (const auto& [k, v] : api::metaLabels(pod)) labels[k] = v;
  labels[kPodNameLabel] = std::string(api::metaName(pod));
  labels[kPodNamespaceLabel] = std::string(api::metaNamespace(pod));
  labels[kPodUidLabel] = str(pod, "metadata.uid");
}

}  // namespace

ResolvConf parseResolvConf(std::string_view text) {
  ResolvConf out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find_first_of("#;"); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string key, value;
    if (!(fields >> key)) continue;
    if (key == "nameserver") {
      if (fields >> value) out.nameservers.push_back(value);
    } else if (key == "search" || key == "domain") {
      out.searches.clear();  // the last search/domain line wins, as the resolver reads it
      while (fields >> value) out.searches.push_back(value);
    } else if (key == "options") {
      while (fields >> value) out.options.push_back(value);
    }
  }
  return out;
}

v1::DNSConfig podDnsConfig(const json::object& pod, const RuntimeOptions& options, const ResolvConf& host) {
  std::string policy = str(pod, "spec.dnsPolicy");
  if (policy.empty()) policy = "ClusterFirst";
  bool hostNetwork = flag(pod, "spec.hostNetwork");
  bool cluster = policy == "ClusterFirstWithHostNet" || (policy == "ClusterFirst" && !hostNetwork);
  if (cluster && options.clusterDns.empty()) cluster = false;  // no cluster DNS known: the host's
  std::vector<std::string> servers, searches, opts;
  if (policy == "None") {
    // only spec.dnsConfig
  } else if (cluster) {
    servers = options.clusterDns;
    if (!options.clusterDomain.empty()) {
      const std::string& d = options.clusterDomain;
      for (const auto& s : {std::string(api::metaNamespace(pod)) + ".svc." + d, "svc." + d, d}) appendUnique(searches, s);
    }
    for (const auto& s : host.searches) appendUnique(searches, s);
    opts = {"ndots:5"};
  } else {
    servers = host.nameservers;
    searches = host.searches;
    opts = host.options;
    if (options.resolvConf.empty()) {
      servers = {"127.0.0.1"};
      searches = {"."};
    }
  }
  if (const json::object* spec = api::findObject(pod, "spec")) {
    if (const json::object* extra = api::findObject(*spec, "dnsConfig")) {
      for (const auto& s : strings(*extra, "nameservers")) appendUnique(servers, s);
      for (const auto& s : strings(*extra, "searches")) appendUnique(searches, s);
      if (const json::value* list = extra->if_contains("options"); list && list->is_array()) {
        for (const auto& o : list->get_array()) {
          if (!o.is_object()) continue;
          std::string name(api::getString(o.get_object(), "name"));
          std::string value(api::getString(o.get_object(), "value"));
          std::string option = value.empty() ? name : name + ":" + value;
          std::erase_if(opts, [&](const std::string& existing) { return optionName(existing) == name; });
          opts.push_back(option);
        }
      }
    }
  }
  if (servers.size() > 3) servers.resize(3);
  if (searches.size() > 32) searches.resize(32);
  v1::DNSConfig out;
  for (const auto& s : servers) out.add_servers(s);
  for (const auto& s : searches) out.add_searches(s);
  for (const auto& o : opts) out.add_options(o);
  return out;
}

std::string podHostname(const json::object& pod) {
  std::string hostname = str(pod, "spec.hostname");
  if (hostname.empty()) hostname = std::string(api::metaName(pod));
  if (hostname.size() > 63) {
    hostname.resize(63);
    while (!hostname.empty() && (hostname.back() == '-' || hostname.back() == '.')) hostname.pop_back();
  }
  return hostname;
}

std::string podLogDirectory(const json::object& pod, const RuntimeOptions& options) {
  return options.dataDir + "/logs/pods/" + std::string(api::metaNamespace(pod)) + "_" + std::string(api::metaName(pod)) +
         "_" + str(pod, "metadata.uid");
}

v1::PodSandboxConfig makeSandboxConfig(const json::object& pod, int attempt, const RuntimeOptions& options,
                                       const ResolvConf& hostResolv) {
  v1::PodSandboxConfig config;
  v1::PodSandboxMetadata* meta = config.mutable_metadata();
  meta->set_name(std::string(api::metaName(pod)));
  meta->set_namespace_(std::string(api::metaNamespace(pod)));
  meta->set_uid(str(pod, "metadata.uid"));
  meta->set_attempt(static_cast<std::uint32_t>(attempt));
  bool hostNetwork = flag(pod, "spec.hostNetwork");
  if (!hostNetwork) config.set_hostname(podHostname(pod));
  config.set_log_directory(podLogDirectory(pod, options));
  *config.mutable_dns_config() = podDnsConfig(pod, options, hostResolv);
  podLabels(pod, *config.mutable_labels());
  if (const json::object* meta0 = api::findObject(pod, "metadata")) {
    if (const json::object* annotations = api::findObject(*meta0, "annotations")) {
      for (const auto& [k, v] : *annotations) {
        if (v.is_string()) (*config.mutable_annotations())[std::string(k)] = std::string(v.get_string());
      }
    }
  }
  for (const char* field : {"initContainers", "containers"}) {
    const json::value* list = api::findPath(pod, std::string("spec.") + field);
    if (!list || !list->is_array()) continue;
    for (const auto& c : list->get_array()) {
      const json::value* ports = c.is_object() ? c.get_object().if_contains("ports") : nullptr;
      if (!ports || !ports->is_array()) continue;
      for (const auto& p : ports->get_array()) {
        if (!p.is_object()) continue;
        auto hostPort = intAt(p.get_object(), "hostPort");
        if (!hostPort || *hostPort == 0) continue;
        v1::PortMapping* m = config.add_port_mappings();
        m->set_protocol(protocolOf(api::getString(p.get_object(), "protocol")));
        m->set_container_port(static_cast<std::int32_t>(intAt(p.get_object(), "containerPort").value_or(0)));
        m->set_host_port(static_cast<std::int32_t>(*hostPort));
        m->set_host_ip(std::string(api::getString(p.get_object(), "hostIP")));
      }
    }
  }
  v1::LinuxPodSandboxConfig* linux = config.mutable_linux();
  if (!options.cgroupParent.empty()) linux->set_cgroup_parent(options.cgroupParent);
  v1::LinuxSandboxSecurityContext* sc = linux->mutable_security_context();
  setNamespaces(*sc->mutable_namespace_options(), pod);
  const json::object* spec = api::findObject(pod, "spec");
  const json::object* podSc = spec ? api::findObject(*spec, "securityContext") : nullptr;
  if (podSc) {
    if (auto uid = intAt(*podSc, "runAsUser")) sc->mutable_run_as_user()->set_value(*uid);
    if (auto gid = intAt(*podSc, "runAsGroup")) sc->mutable_run_as_group()->set_value(*gid);
    if (const json::value* groups = podSc->if_contains("supplementalGroups"); groups && groups->is_array()) {
      for (const auto& g : groups->get_array()) {
        if (g.is_number()) sc->add_supplemental_groups(g.to_number<std::int64_t>());
      }
    }
    if (auto fsGroup = intAt(*podSc, "fsGroup")) sc->add_supplemental_groups(*fsGroup);
    if (const json::value* sysctls = podSc->if_contains("sysctls"); sysctls && sysctls->is_array()) {
      for (const auto& s : sysctls->get_array()) {
        if (!s.is_object()) continue;
        (*linux->mutable_sysctls())[std::string(api::getString(s.get_object(), "name"))] =
            std::string(api::getString(s.get_object(), "value"));
      }
    }
  }
  *sc->mutable_seccomp() = seccompOf(podSc);
  return config;
}

v1::ContainerConfig makeContainerConfig(const json::object& pod, const json::object& container,
                                        const ContainerInputs& inputs, const RuntimeOptions& options) {
  v1::ContainerConfig config;
  std::string name(api::getString(container, "name"));
  config.mutable_metadata()->set_name(name);
  config.mutable_metadata()->set_attempt(static_cast<std::uint32_t>(inputs.restartCount));
  std::string image(api::getString(container, "image"));
  config.mutable_image()->set_image(inputs.imageRef.empty() ? image : inputs.imageRef);
  config.mutable_image()->set_user_specified_image(image);
  auto lookup = [&](const std::string& var) -> std::optional<std::string> {
    for (auto it = inputs.env.rbegin(); it != inputs.env.rend(); ++it) {
      if (it->name == var) return it->value;
    }
    return std::nullopt;
  };
  for (const auto& c : strings(container, "command")) config.add_command(expandVariables(c, lookup));
  for (const auto& a : strings(container, "args")) config.add_args(expandVariables(a, lookup));
  config.set_working_dir(std::string(api::getString(container, "workingDir")));
  for (const auto& e : inputs.env) {
    v1::KeyValue* kv = config.add_envs();
    kv->set_key(e.name);
    kv->set_value(e.value);
  }
  for (const auto& m : inputs.mounts) {
    v1::Mount* mount = config.add_mounts();
    mount->set_container_path(m.containerPath);
    mount->set_host_path(m.hostPath);
    mount->set_readonly(m.readOnly);
    mount->set_propagation(propagationOf(m.propagation));
  }
  std::string messagePath(api::getString(container, "terminationMessagePath"));
  if (messagePath.empty()) messagePath = "/dev/termination-log";
  if (!inputs.terminationMessageHostPath.empty()) {
    v1::Mount* mount = config.add_mounts();
    mount->set_container_path(messagePath);
    mount->set_host_path(inputs.terminationMessageHostPath);
  }
  auto& labels = *config.mutable_labels();
  labels[kPodNameLabel] = std::string(api::metaName(pod));
  labels[kPodNamespaceLabel] = std::string(api::metaNamespace(pod));
  labels[kPodUidLabel] = str(pod, "metadata.uid");
  labels[kContainerNameLabel] = name;
  auto& annotations = *config.mutable_annotations();
  annotations[kContainerHashAnnotation] = containerHash(container);
  annotations[kRestartCountAnnotation] = std::to_string(inputs.restartCount);
  annotations[kTerminationMessagePathAnnotation] = messagePath;
  std::string messagePolicy(api::getString(container, "terminationMessagePolicy"));
  annotations[kTerminationMessagePolicyAnnotation] = messagePolicy.empty() ? "File" : messagePolicy;
  annotations[kGracePeriodAnnotation] = std::to_string(podGracePeriod(pod));
  if (const json::object* lifecycle = api::findObject(container, "lifecycle")) {
    if (const json::object* preStop = api::findObject(*lifecycle, "preStop")) {
      annotations[kPreStopHandlerAnnotation] = json::serialize(*preStop);
    }
  }
  config.set_log_path(name + "/" + std::to_string(inputs.restartCount) + ".log");
  config.set_stdin(flag(container, "stdin"));
  config.set_stdin_once(flag(container, "stdinOnce"));
  config.set_tty(flag(container, "tty"));
  LinuxResources r = containerResources(pod, container, options.memoryCapacityBytes);
  v1::LinuxContainerResources* res = config.mutable_linux()->mutable_resources();
  res->set_cpu_shares(r.cpuShares);
  res->set_cpu_period(r.cpuPeriod);
  res->set_cpu_quota(r.cpuQuota);
  res->set_memory_limit_in_bytes(r.memoryLimitBytes);
  res->set_oom_score_adj(r.oomScoreAdj);
  *config.mutable_linux()->mutable_security_context() = containerSecurity(pod, container);
  return config;
}

std::string etcHostsContent(const json::object& pod, const std::vector<std::string>& podIps,
                            const RuntimeOptions& options) {
  std::string out =
      "# Kubernetes-managed hosts file.\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n";
  std::string hostname = podHostname(pod);
  std::string subdomain = str(pod, "spec.subdomain");
  std::string names = hostname;
  if (!subdomain.empty() && !options.clusterDomain.empty()) {
    names = hostname + "." + subdomain + "." + std::string(api::metaNamespace(pod)) + ".svc." + options.clusterDomain +
            "\t" + hostname;
  }
  for (const auto& ip : podIps) out += ip + "\t" + names + "\n";
  const json::value* aliases = api::findPath(pod, "spec.hostAliases");
  if (aliases && aliases->is_array() && !aliases->get_array().empty()) {
    out += "\n# Entries added by HostAliases.\n";
    for (const auto& a : aliases->get_array()) {
      if (!a.is_object()) continue;
      out += std::string(api::getString(a.get_object(), "ip"));
      for (const auto& h : strings(a.get_object(), "hostnames")) out += "\t" + h;
      out += "\n";
    }
  }
  return out;
}

bool wantsManagedEtcHosts(const json::object& pod, const json::object& container) {
  if (flag(pod, "spec.hostNetwork")) return false;
  const json::value* mounts = container.if_contains("volumeMounts");
  if (mounts && mounts->is_array()) {
    for (const auto& m : mounts->get_array()) {
      if (m.is_object() && api::getString(m.get_object(), "mountPath") == "/etc/hosts") return false;
    }
  }
  return true;
}

std::int64_t podGracePeriod(const json::object& pod) {
  if (api::findPath(pod, "metadata.deletionTimestamp")) {
    if (auto g = intAt(pod, "metadata.deletionGracePeriodSeconds")) return *g;
  }
  return intAt(pod, "spec.terminationGracePeriodSeconds").value_or(30);
}

}  // namespace kcpp::kubelet::kuberuntime
