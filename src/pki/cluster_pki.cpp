#include "pki/cluster_pki.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <optional>

#include "pki/atomic_file.h"
#include "pki/certificate_info.h"

namespace kcpp::pki {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kRenewBefore{std::chrono::hours(24 * 90)};  // as k3s

bool fileExists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

std::string localHostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

bool isUnspecified(const std::string& address) {
  return address.empty() || address == "0.0.0.0" || address == "::" || address == "[::]";
}

Error withContext(const std::string& context, Error error) {
  error.message = context + ": " + error.message;
  return error;
}

// A file on disk that does not parse is an environment failure, not a bad request.
Error damagedFile(const fs::path& path, Error error) {
  error.reason = Reason::InternalError;
  return withContext(path.string(), std::move(error));
}

Result<CertifiedKey> readPair(const fs::path& certFile, const fs::path& keyFile) {
  auto certPem = readFile(certFile);
  if (!certPem) return std::move(certPem).error();
  auto keyPem = readFile(keyFile);
  if (!keyPem) return std::move(keyPem).error();
  auto cert = certificateFromPem(*certPem);
  if (!cert) return damagedFile(certFile, std::move(cert).error());
  auto key = privateKeyFromPem(*keyPem);
  if (!key) return damagedFile(keyFile, std::move(key).error());
  return CertifiedKey{std::move(cert).value(), std::move(key).value()};
}

Result<void> writePair(const CertifiedKey& pair, const fs::path& certFile, const fs::path& keyFile) {
  if (auto r = writeFileAtomic(keyFile, privateKeyToPem(pair.key.get()), kPrivateFileMode); !r) return r;
  return writeFileAtomic(certFile, certificateToPem(pair.cert.get()), kPublicFileMode);
}

Result<CertifiedKey> createCa(const std::string& prefix, const fs::path& certFile, const fs::path& keyFile) {
  auto ca = createSelfSignedCa(prefix + "-ca@" + std::to_string(std::time(nullptr)));
  if (!ca) return ca;
  if (auto r = writePair(*ca, certFile, keyFile); !r) return std::move(r).error();
  return ca;
}

// A CA is the root of trust of every credential already handed out, so a damaged one
// is reported rather than replaced.
Result<CertifiedKey> loadOrCreateCa(const std::string& prefix, const fs::path& certFile,
                                    const fs::path& keyFile, std::vector<std::string>& changes) {
  if (!fileExists(certFile) || !fileExists(keyFile)) {
    changes.push_back("created " + prefix + " CA " + certFile.filename().string());
    return createCa(prefix, certFile, keyFile);
  }
  const std::string hint = " (remove " + certFile.string() + " and " + keyFile.string() +
                           " to create a new CA; every issued credential then becomes invalid)";
  auto ca = readPair(certFile, keyFile);
  if (!ca) return withContext("loading " + prefix + " CA", std::move(ca).error());
  if (!keyMatchesCertificate(ca->cert.get(), ca->key.get())) {
    return makeError(Reason::InternalError, "CA " + certFile.string() + " does not match its key" + hint);
  }
  if (expiresWithin(ca->cert.get(), std::chrono::seconds(0))) {
    return makeError(Reason::InternalError, "CA " + certFile.string() + " has expired" + hint);
  }
  return ca;
}

struct LeafRequest {
  fs::path certFile;
  fs::path keyFile;
  CertificateSpec spec;
  Purpose purpose;
};

SubjectAltNames normalized(const SubjectAltNames& sans) {
  std::vector<std::string> all = sans.dnsNames;
  all.insert(all.end(), sans.ipAddresses.begin(), sans.ipAddresses.end());
  SubjectAltNames out = classifyAltNames(all);
  std::sort(out.dnsNames.begin(), out.dnsNames.end());
  std::sort(out.ipAddresses.begin(), out.ipAddresses.end());
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  return values;
}

// Why `leaf` must be reissued, or nullopt if it is still good.
std::optional<std::string> staleReason(const CertifiedKey& leaf, const LeafRequest& req, const CertifiedKey& ca) {
  X509* cert = leaf.cert.get();
  if (!keyMatchesCertificate(cert, leaf.key.get())) return "key does not match certificate";
  if (auto verified = verifyCertificate(cert, ca.cert.get(), req.purpose); !verified) {
    return verified.error().message;
  }
  if (expiresWithin(cert, kRenewBefore)) return "expires within 90 days";
  if (commonName(cert) != req.spec.commonName) return "common name changed";
  if (sorted(organizations(cert)) != sorted(req.spec.organizations)) return "organizations changed";
  if (normalized(subjectAltNames(cert)) != normalized(req.spec.altNames)) return "SANs changed";
  return std::nullopt;
}

Result<CertifiedKey> loadOrIssueLeaf(const LeafRequest& req, const CertifiedKey& ca,
                                     std::vector<std::string>& changes) {
  std::optional<std::string> reason;  // nullopt: the files do not exist yet
  if (fileExists(req.certFile) && fileExists(req.keyFile)) {
    auto leaf = readPair(req.certFile, req.keyFile);
    reason = leaf ? staleReason(*leaf, req, ca) : std::optional(leaf.error().message);
    if (!reason) return leaf;
  }
  auto issued = issueCertificate(req.spec, ca);
  if (!issued) return withContext("issuing " + req.certFile.string(), std::move(issued).error());
  if (auto r = writePair(*issued, req.certFile, req.keyFile); !r) return std::move(r).error();
  const std::string name = req.certFile.filename().string();
  changes.push_back(reason ? "reissued " + name + ": " + *reason : "created " + name);
  return issued;
}

LeafRequest servingRequest(const PkiFiles& files, const SubjectAltNames& sans) {
  CertificateSpec spec{"kube-apiserver", {}, sans, {ExtKeyUsage::ServerAuth}, kLeafValidity};
  return {files.servingCert, files.servingKey, std::move(spec), Purpose::ServerAuth};
}

LeafRequest clientRequest(fs::path certFile, fs::path keyFile, const ClientIdentity& identity) {
  CertificateSpec spec{identity.user, identity.groups, {}, {ExtKeyUsage::ClientAuth}, kLeafValidity};
  return {std::move(certFile), std::move(keyFile), std::move(spec), Purpose::ClientAuth};
}

bool isValidClientName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

PkiFiles PkiFiles::under(const fs::path& dataDir) {
  PkiFiles f;
  f.tlsDir = dataDir / "server" / "tls";
  f.serverCaCert = f.tlsDir / "server-ca.crt";
  f.serverCaKey = f.tlsDir / "server-ca.key";
  f.clientCaCert = f.tlsDir / "client-ca.crt";
  f.clientCaKey = f.tlsDir / "client-ca.key";
  f.servingCert = f.tlsDir / "serving-kube-apiserver.crt";
  f.servingKey = f.tlsDir / "serving-kube-apiserver.key";
  f.adminCert = f.clientCert("admin");
  f.adminKey = f.clientKey("admin");
  f.credDir = dataDir / "server" / "cred";
  f.adminKubeconfig = f.credDir / "admin.kubeconfig";
  return f;
}

fs::path PkiFiles::clientCert(std::string_view name) const {
  return tlsDir / ("client-" + std::string(name) + ".crt");
}

fs::path PkiFiles::clientKey(std::string_view name) const {
  return tlsDir / ("client-" + std::string(name) + ".key");
}

SubjectAltNames servingAltNames(const ServingNames& names) {
  std::vector<std::string> all = {"127.0.0.1", "localhost"};
  all.push_back(names.hostName.empty() ? localHostName() : names.hostName);
  if (!isUnspecified(names.bindAddress)) all.push_back(names.bindAddress);
  for (const char* dns : {"kubernetes", "kubernetes.default", "kubernetes.default.svc"}) all.push_back(dns);
  all.push_back("kubernetes.default.svc." + names.clusterDomain);
  all.push_back(names.firstServiceIp);
  all.insert(all.end(), names.extraSans.begin(), names.extraSans.end());
  return classifyAltNames(all);
}

Result<ClusterPki> ClusterPki::loadOrCreate(const fs::path& dataDir, const SubjectAltNames& servingSans) {
  ClusterPki pki;
  pki.files_ = PkiFiles::under(dataDir);
  const PkiFiles& f = pki.files_;
  if (auto r = ensureDirectory(f.tlsDir, 0700); !r) return std::move(r).error();
  auto serverCa = loadOrCreateCa("kcpp-server", f.serverCaCert, f.serverCaKey, pki.changes_);
  if (!serverCa) return std::move(serverCa).error();
  pki.serverCa_ = std::move(serverCa).value();
  auto clientCa = loadOrCreateCa("kcpp-client", f.clientCaCert, f.clientCaKey, pki.changes_);
  if (!clientCa) return std::move(clientCa).error();
  pki.clientCa_ = std::move(clientCa).value();
  auto serving = loadOrIssueLeaf(servingRequest(f, servingSans), pki.serverCa_, pki.changes_);
  if (!serving) return std::move(serving).error();
  pki.serving_ = std::move(serving).value();
  auto admin = pki.ensureClientCertificate("admin", {std::string(kAdminUser), {std::string(kMastersGroup)}});
  if (!admin) return std::move(admin).error();
  pki.admin_ = std::move(admin).value();
  return pki;
}

Result<CertifiedKey> ClusterPki::ensureClientCertificate(std::string_view name, const ClientIdentity& identity) {
  if (!isValidClientName(name)) {
    return makeError(Reason::BadRequest, "client certificate name \"" + std::string(name) +
                                             "\" must be lower-case letters, digits and '-'");
  }
  return loadOrIssueLeaf(clientRequest(files_.clientCert(name), files_.clientKey(name), identity),
                         clientCa_, changes_);
}

Kubeconfig ClusterPki::kubeconfigFor(const CertifiedKey& client, int port) const {
  Kubeconfig config;
  config.server = loopbackServerUrl(port);
  config.certificateAuthorityPem = certificateToPem(serverCa_.cert.get());
  config.clientCertificatePem = certificateToPem(client.cert.get());
  config.clientKeyPem = privateKeyToPem(client.key.get());
  return config;
}

Result<void> ClusterPki::writeAdminKubeconfig(int port) const {
  if (auto r = ensureDirectory(files_.credDir, 0700); !r) return r;
  return writeKubeconfig(files_.adminKubeconfig, adminKubeconfig(port));
}

}  // namespace kcpp::pki
