#include "pki/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <cctype>

#include "pki/atomic_file.h"
#include "pki/base64.h"

namespace kcpp::pki {
namespace {

constexpr const char* kName = "default";  // k3s names its cluster, user and context so

void emitIfSet(YAML::Emitter& out, const char* key, const std::string& value) {
  if (!value.empty()) out << YAML::Key << key << YAML::Value << value;
}

void emitCluster(YAML::Emitter& out, const Kubeconfig& config) {
  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
  if (!config.certificateAuthorityPem.empty()) {
    out << YAML::Key << "certificate-authority-data" << YAML::Value
        << base64Encode(config.certificateAuthorityPem);
  }
  if (config.insecureSkipTlsVerify) out << YAML::Key << "insecure-skip-tls-verify" << YAML::Value << true;
  out << YAML::Key << "server" << YAML::Value << config.server;
  emitIfSet(out, "tls-server-name", config.tlsServerName);
  out << YAML::EndMap << YAML::Key << "name" << YAML::Value << kName;
  out << YAML::EndMap << YAML::EndSeq;
}

void emitContext(YAML::Emitter& out, const Kubeconfig& config) {
  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cluster" << YAML::Value << kName;
  emitIfSet(out, "namespace", config.namespaceName);
  out << YAML::Key << "user" << YAML::Value << kName << YAML::EndMap;
  out << YAML::Key << "name" << YAML::Value << kName;
  out << YAML::EndMap << YAML::EndSeq;
}

void emitUser(YAML::Emitter& out, const Kubeconfig& config) {
  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << kName;
  out << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  if (!config.clientCertificatePem.empty()) {
    out << YAML::Key << "client-certificate-data" << YAML::Value
        << base64Encode(config.clientCertificatePem);
  }
  if (!config.clientKeyPem.empty()) {
    out << YAML::Key << "client-key-data" << YAML::Value << base64Encode(config.clientKeyPem);
  }
  emitIfSet(out, "token", config.token);
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
}

std::string text(const YAML::Node& map, const char* key) {
  YAML::Node value = map[key];
  return value && value.IsScalar() ? value.as<std::string>() : std::string();
}

// The `field` member of the entry of `list` whose name is `name`.
Result<YAML::Node> findNamed(const YAML::Node& list, const std::string& name, const char* field,
                             const char* what) {
  if (list && list.IsSequence()) {
    for (const auto& entry : list) {
      if (text(entry, "name") == name && entry[field].IsMap()) return entry[field];
    }
  }
  return makeError(Reason::BadRequest, std::string("kubeconfig has no ") + what + " \"" + name + "\"");
}

// A credential given inline as base64 (`dataKey`) or as a file path (`fileKey`).
Result<std::string> credential(const YAML::Node& map, const char* dataKey, const char* fileKey,
                               const std::filesystem::path& baseDir) {
  if (auto data = text(map, dataKey); !data.empty()) {
    auto decoded = base64Decode(data);
    if (!decoded) return makeError(Reason::BadRequest, std::string("kubeconfig ") + dataKey + ": invalid base64");
    return decoded;
  }
  std::filesystem::path file = text(map, fileKey);
  if (file.empty()) return std::string();
  return readFile(file.is_absolute() ? file : baseDir / file);
}

Result<void> readCluster(const YAML::Node& cluster, const std::filesystem::path& baseDir, Kubeconfig& out) {
  out.server = text(cluster, "server");
  out.tlsServerName = text(cluster, "tls-server-name");
  out.insecureSkipTlsVerify = cluster["insecure-skip-tls-verify"].as<bool>(false);
  auto ca = credential(cluster, "certificate-authority-data", "certificate-authority", baseDir);
  if (!ca) return std::move(ca).error();
  out.certificateAuthorityPem = std::move(ca).value();
  return {};
}

Result<void> readUser(const YAML::Node& user, const std::filesystem::path& baseDir, Kubeconfig& out) {
  auto cert = credential(user, "client-certificate-data", "client-certificate", baseDir);
  if (!cert) return std::move(cert).error();
  auto key = credential(user, "client-key-data", "client-key", baseDir);
  if (!key) return std::move(key).error();
  out.clientCertificatePem = std::move(cert).value();
  out.clientKeyPem = std::move(key).value();
  out.token = text(user, "token");
  if (std::filesystem::path file = text(user, "tokenFile"); out.token.empty() && !file.empty()) {
    auto token = readFile(file.is_absolute() ? file : baseDir / file);
    if (!token) return std::move(token).error();
    out.token = std::move(token).value();
    while (!out.token.empty() && std::isspace(static_cast<unsigned char>(out.token.back()))) {
      out.token.pop_back();
    }
  }
  return {};
}

Result<Kubeconfig> fromDocument(const YAML::Node& root, const std::filesystem::path& baseDir,
                                std::string_view contextName) {
  std::string name = contextName.empty() ? text(root, "current-context") : std::string(contextName);
  if (name.empty()) return makeError(Reason::BadRequest, "kubeconfig has no current-context");
  auto context = findNamed(root["contexts"], name, "context", "context");
  if (!context) return std::move(context).error();
  auto cluster = findNamed(root["clusters"], text(*context, "cluster"), "cluster", "cluster");
  if (!cluster) return std::move(cluster).error();
  Kubeconfig config;
  config.namespaceName = text(*context, "namespace");
  if (auto r = readCluster(*cluster, baseDir, config); !r) return std::move(r).error();
  if (std::string user = text(*context, "user"); !user.empty()) {
    auto userNode = findNamed(root["users"], user, "user", "user");
    if (!userNode) return std::move(userNode).error();
    if (auto r = readUser(*userNode, baseDir, config); !r) return std::move(r).error();
  }
  if (config.server.empty()) return makeError(Reason::BadRequest, "kubeconfig cluster has no server");
  return config;
}

}  // namespace

std::string loopbackServerUrl(int port) { return "https://127.0.0.1:" + std::to_string(port); }

std::string renderKubeconfig(const Kubeconfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  emitCluster(out, config);
  emitContext(out, config);
  out << YAML::Key << "current-context" << YAML::Value << kName;
  out << YAML::Key << "kind" << YAML::Value << "Config";
  out << YAML::Key << "preferences" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  emitUser(out, config);
  out << YAML::EndMap;
  KCPP_CHECK(out.good(), "kubeconfig emitter in a bad state");
  return std::string(out.c_str()) + "\n";
}

Result<void> writeKubeconfig(const std::filesystem::path& path, const Kubeconfig& config) {
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return makeError(Reason::InternalError, "creating directory for " + path.string() + ": " + ec.message());
  }
  return writeFileAtomic(path, renderKubeconfig(config), kPrivateFileMode);
}

Result<Kubeconfig> parseKubeconfig(std::string_view yaml, const std::filesystem::path& baseDir,
                                   std::string_view contextName) {
  try {
    return fromDocument(YAML::Load(std::string(yaml)), baseDir, contextName);
  } catch (const YAML::Exception& e) {
    return makeError(Reason::BadRequest, std::string("invalid kubeconfig: ") + e.what());
  }
}

Result<Kubeconfig> readKubeconfig(const std::filesystem::path& path, std::string_view contextName) {
  auto yaml = readFile(path);
  if (!yaml) return std::move(yaml).error();
  auto config = parseKubeconfig(*yaml, path.parent_path(), contextName);
  if (!config) {
    Error e = std::move(config).error();
    e.message = path.string() + ": " + e.message;
    return e;
  }
  return config;
}

}  // namespace kcpp::pki
