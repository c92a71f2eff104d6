#include "api/validation/networking.h"

#include <algorithm>

#include "api/validation/names.h"
#include "api/validation/net_checks.h"
#include "api/validation/workload_common.h"

namespace kcpp::api::validation {
namespace {

const json::object& emptyObject() {
  static const json::object empty;
  return empty;
}

const json::object& child(const json::object& o, std::string_view key) {
  const json::object* c = objectAt(o, key);
  return c ? *c : emptyObject();
}

const json::object& asObject(const json::value& v) { return v.is_object() ? v.get_object() : emptyObject(); }

void portName(std::string_view name, const Path& p, Causes& out);

void serviceBackend(const json::object& svc, const Path& p, Causes& out) {
  std::string_view name = stringAt(svc, "name");
  Path np = p.child("service").child("name");
  if (name.empty()) {
    out.push_back(required(np));
  } else {
    for (const auto& msg : nameProblems(NameRule::Dns1035Label, name)) out.push_back(invalidStr(np, name, msg));
  }
  const json::object& port = child(svc, "port");
  std::string_view portName_ = stringAt(port, "name");
  auto number = intAt(port, "number").value_or(0);
  Path pp = p.child("service").child("port");
  if (!portName_.empty() && number != 0) {
    out.push_back(invalidStr(p, "", "cannot set both port name & port number"));
  } else if (!portName_.empty()) {
    portName(portName_, pp.child("name"), out);
  } else if (number != 0) {
    if (number < 1 || number > 65535) out.push_back(invalidInt(pp.child("number"), number, inclusiveRangeError(1, 65535)));
  } else {
    out.push_back(required(p, "port name or number is required"));
  }
}

void typedReference(const json::object& ref, const Path& p, Causes& out) {
  if (auto group = optionalString(ref, "apiGroup")) subdomain(*group, p.child("apiGroup"), out);
  for (std::string_view key : {"kind", "name"}) {
    std::string_view v = stringAt(ref, key);
    if (v.empty()) {
      out.push_back(required(p.child(key), std::string(key) + " is required"));
    } else {
      for (const auto& msg : nameProblems(NameRule::PathSegment, v)) out.push_back(invalidStr(p.child(key), v, msg));
    }
  }
}

void backend(const json::object& b, const Path& p, Causes& out) {
  const json::object* resource = objectAt(b, "resource");
  const json::object* service = objectAt(b, "service");
  if (resource && service) return out.push_back(invalidStr(p, "", "cannot set both resource and service backends"));
  if (resource) return typedReference(*resource, p.child("resource"), out);
  if (service) return serviceBackend(*service, p, out);
  out.push_back(invalidStr(p, "", "resource or service backend is required"));
}

void httpPath(const json::object& path, const Path& p, Causes& out) {
  auto type = optionalString(path, "pathType");
  if (!type) return out.push_back(required(p.child("pathType"), "pathType must be specified"));
  std::string_view value = stringAt(path, "path");
  Path vp = p.child("path");
  if (*type == "Exact" || *type == "Prefix") {
    if (!value.starts_with("/")) out.push_back(invalidStr(vp, value, "must be an absolute path"));
    for (std::string_view seq : {"//", "/./", "/../", "%2f", "%2F"}) {
      if (value.find(seq) != std::string_view::npos) out.push_back(invalidStr(vp, value, "must not contain '" + std::string(seq) + "'"));
    }
    for (std::string_view suffix : {"/..", "/."}) {
      if (value.ends_with(suffix)) out.push_back(invalidStr(vp, value, "cannot end with '" + std::string(suffix) + "'"));
    }
  } else if (*type == "ImplementationSpecific") {
    if (!value.empty() && !value.starts_with("/")) out.push_back(invalidStr(vp, value, "must be an absolute path"));
  } else {
    out.push_back(notSupportedStr(p.child("pathType"), *type, {"Exact", "ImplementationSpecific", "Prefix"}));
  }
  backend(child(path, "backend"), p.child("backend"), out);
}

void rule(const json::object& r, const Path& p, Causes& out) {
  std::string_view host = stringAt(r, "host");
  if (!host.empty()) {
    if (isIP(host)) out.push_back(invalidStr(p.child("host"), host, "must be a DNS name, not an IP address"));
    if (host.find('*') != std::string_view::npos) wildcardSubdomain(host, p.child("host"), out);
    else subdomain(host, p.child("host"), out);
  }
  const json::object* http = objectAt(r, "http");
  if (!http) return;
  const json::array* paths = arrayAt(*http, "paths");
  if (!paths || paths->empty()) out.push_back(required(p.child("http").child("paths")));
  for (std::size_t i = 0; paths && i < paths->size(); ++i) {
    httpPath(asObject((*paths)[i]), p.child("http").child("paths").index(i), out);
  }
}

void tls(const json::array* list, const Path& p, Causes& out) {
  for (std::size_t t = 0; list && t < list->size(); ++t) {
    const json::object& item = asObject((*list)[t]);
    auto hosts = strings(arrayAt(item, "hosts"));
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      Path hp = p.index(t).child("hosts").index(i);
      if (hosts[i].find('*') != std::string::npos) wildcardSubdomain(hosts[i], hp, out);
      else subdomain(hosts[i], hp, out);
    }
    std::string_view secret = stringAt(item, "secretName");
    if (!secret.empty()) subdomain(secret, p.index(t).child("secretName"), out);
  }
}

Causes ingressSpec(const json::object& spec) {
  Causes out;
  Path p("spec");
  const json::array* rules = arrayAt(spec, "rules");
  const json::object* defaultBackend = objectAt(spec, "defaultBackend");
  if ((!rules || rules->empty()) && !defaultBackend) {
    out.push_back(invalidValue(p, rules ? "[]networking.IngressRule{}" : "[]networking.IngressRule(nil)",
                               "either `defaultBackend` or `rules` must be specified"));
  }
  if (defaultBackend) backend(*defaultBackend, p.child("defaultBackend"), out);
  for (std::size_t i = 0; rules && i < rules->size(); ++i) rule(asObject((*rules)[i]), p.child("rules").index(i), out);
  tls(arrayAt(spec, "tls"), p.child("tls"), out);
  if (auto cls = optionalString(spec, "ingressClassName")) subdomain(*cls, p.child("ingressClassName"), out);
  return out;
}

void portName(std::string_view name, const Path& p, Causes& out) {
  auto msg = [&](std::string_view m) { out.push_back(invalidStr(p, name, m)); };
  if (name.size() > 15) msg("must be no more than 15 characters");
  bool charset = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!charset) msg("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (std::none_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    msg("must contain at least one letter (a-z)");
  }
  if (name.find("--") != std::string_view::npos) msg("must not contain consecutive hyphens");
  if (!name.empty() && (name.front() == '-' || name.back() == '-')) msg("must not begin or end with a hyphen");
}

void policyPort(const json::object& port, const Path& p, Causes& out) {
  if (auto protocol = optionalString(port, "protocol"); protocol && *protocol != "TCP" && *protocol != "UDP" && *protocol != "SCTP") {
    out.push_back(notSupportedStr(p.child("protocol"), *protocol, {"TCP", "UDP", "SCTP"}));
  }
  const json::value* value = valueAt(port, "port");
  auto endPort = intAt(port, "endPort");
  if (!value) {
    if (endPort) out.push_back(invalidInt(p.child("endPort"), *endPort, "may not be specified when `port` is not specified"));
    return;
  }
  if (value->is_string()) {
    if (endPort) out.push_back(invalidInt(p.child("endPort"), *endPort, "may not be specified when `port` is non-numeric"));
    return portName(value->get_string(), p.child("port"), out);
  }
  std::int64_t n = value->is_int64() ? value->get_int64() : 0;
  if (n < 1 || n > 65535) out.push_back(invalidInt(p.child("port"), n, inclusiveRangeError(1, 65535)));
  if (!endPort) return;
  if (*endPort < n) out.push_back(invalidInt(p.child("endPort"), n, "must be greater than or equal to `port`"));
  if (*endPort < 1 || *endPort > 65535) out.push_back(invalidInt(p.child("endPort"), *endPort, inclusiveRangeError(1, 65535)));
}

void ipBlock(const json::object& block, const Path& p, Causes& out) {
  std::string_view cidr = stringAt(block, "cidr");
  if (cidr.empty()) return out.push_back(required(p.child("cidr")));
  bool v6 = false;
  int prefix = 0;
  if (!parseCIDR(cidr, v6, prefix)) return out.push_back(invalidStr(p.child("cidr"), cidr, "not a valid CIDR"));
  auto except = strings(arrayAt(block, "except"));
  for (std::size_t i = 0; i < except.size(); ++i) {
    bool ev6 = false;
    int eprefix = 0;
    if (!parseCIDR(except[i], ev6, eprefix)) return out.push_back(invalidStr(p.child("except").index(i), except[i], "not a valid CIDR"));
    if (ev6 != v6 || prefix >= eprefix) {
      out.push_back(invalidStr(p.child("except").index(i), except[i], "must be a strict subset of `cidr`"));
    }
  }
}

void peer(const json::object& peerObj, const Path& p, Causes& out) {
  int peers = 0;
  for (std::string_view key : {"podSelector", "namespaceSelector"}) {
    if (const json::value* sel = valueAt(peerObj, key)) {
      ++peers;
      append(out, validateSelector(sel, p.child(key)));
    }
  }
  const json::object* block = objectAt(peerObj, "ipBlock");
  if (block) ++peers, ipBlock(*block, p.child("ipBlock"), out);
  if (peers == 0) out.push_back(required(p, "must specify a peer"));
  else if (peers > 1 && block) out.push_back(forbidden(p, "may not specify both ipBlock and another peer"));
}

void policyRules(const json::object& spec, std::string_view kind, std::string_view peers, Causes& out) {
  const json::array* rules = arrayAt(spec, kind);
  for (std::size_t i = 0; rules && i < rules->size(); ++i) {
    const json::object& r = asObject((*rules)[i]);
    Path rp = Path("spec").child(kind).index(i);
    const json::array* ports = arrayAt(r, "ports");
    for (std::size_t j = 0; ports && j < ports->size(); ++j) policyPort(asObject((*ports)[j]), rp.child("ports").index(j), out);
    const json::array* list = arrayAt(r, peers);
    for (std::size_t j = 0; list && j < list->size(); ++j) peer(asObject((*list)[j]), rp.child(peers).index(j), out);
  }
}

}  // namespace

Causes validateIngress(const json::object& obj, const json::object* old) {
  Causes out = ingressSpec(child(obj, "spec"));
  const json::object& meta = child(obj, "metadata");
  auto annotation = optionalString(child(meta, "annotations"), "kubernetes.io/ingress.class");
  if (!old && annotation && has(child(obj, "spec"), "ingressClassName")) {
    out.push_back(invalidStr(Path("annotations").child("kubernetes.io/ingress.class"), *annotation,
                             "can not be set when the class field is also set"));
  }
  return out;
}

Causes validateIngressClass(const json::object& obj, const json::object* old) {
  Causes out;
  const json::object& spec = child(obj, "spec");
  Path cp("spec.controller");
  std::string_view controller = stringAt(spec, "controller");
  if (old) {
    std::string_view before = stringAt(child(*old, "spec"), "controller");
    if (controller != before) out.push_back(invalidStr(cp, controller, kImmutableMsg));
  }
  if (controller.size() > 250) out.push_back(tooLong(cp, 250));
  domainPrefixedPath(controller, cp, out);
  if (const json::object* params = objectAt(spec, "parameters")) {
    Path pp("spec.parameters");
    typedReference(*params, pp, out);
    auto scope = optionalString(*params, "scope");
    if (!scope) {
      out.push_back(required(pp.child("scope")));
    } else if (*scope != "Cluster" && *scope != "Namespace") {
      out.push_back(notSupportedStr(pp.child("scope"), *scope, {"Cluster", "Namespace"}));
    } else if (*scope == "Namespace" && !has(*params, "namespace")) {
      out.push_back(required(pp.child("namespace"), "`parameters.scope` is set to 'Namespace'"));
    } else if (*scope == "Cluster" && has(*params, "namespace")) {
      out.push_back(forbidden(pp.child("namespace"), "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return out;
}

Causes validateNetworkPolicy(const json::object& obj, const json::object*) {
  Causes out;
  const json::object& spec = child(obj, "spec");
  append(out, validateSelector(valueAt(spec, "podSelector"), Path("spec.podSelector")));
  policyRules(spec, "ingress", "from", out);
  policyRules(spec, "egress", "to", out);
  auto types = strings(arrayAt(spec, "policyTypes"));
  if (types.size() > 2) {
    out.push_back(invalidValue(Path("spec.policyTypes"), "&" + goStringSlice(valueAt(spec, "policyTypes")),
                               "may not specify more than two policyTypes"));
    return out;
  }
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (types[i] != "Ingress" && types[i] != "Egress") {
      out.push_back(notSupportedStr(Path("spec.policyTypes").index(i), types[i], {"Ingress", "Egress"}));
    }
  }
  return out;
}

}  // namespace kcpp::api::validation
