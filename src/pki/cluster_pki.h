#pragma once
// The cluster's certificates, kept in the data dir across restarts as k3s keeps them.
//
// Layout under <data-dir>/server/tls/ (directory mode 0700; keys 0600, certs 0644),
// with k3s's file names:
//   server-ca.crt / .key               CA of serving certs, CN "kcpp-server-ca@<unix time>"
//   client-ca.crt / .key               CA of client certs, CN "kcpp-client-ca@<unix time>"
//   serving-kube-apiserver.crt / .key  CN kube-apiserver, serverAuth, the serving SANs
//   client-admin.crt / .key            CN system:admin, O system:masters, clientAuth
//   client-<name>.crt / .key           further clients, from ensureClientCertificate()
// and, from writeAdminKubeconfig(port), <data-dir>/server/cred/admin.kubeconfig (mode
// 0600, directory 0700), where k3s keeps its own.
//
// First start creates everything. Later starts load and reuse it. CAs are never
// replaced silently: a CA that cannot be read, does not match its key, or has expired
// is an error. A leaf is reissued from the same CA (with a new key) when it is missing,
// unreadable, does not match its key, does not chain to the current CA, expires within
// 90 days, or no longer has the requested subject or SANs (e.g. a new bind address).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pki/certificate.h"
#include "pki/identity.h"
#include "pki/kubeconfig.h"
#include "util/error.h"

namespace kcpp::pki {

// Where the PKI lives inside a data dir.
struct PkiFiles {
  std::filesystem::path tlsDir;
  std::filesystem::path serverCaCert, serverCaKey;
  std::filesystem::path clientCaCert, clientCaKey;
  std::filesystem::path servingCert, servingKey;
  std::filesystem::path adminCert, adminKey;
  std::filesystem::path credDir;
  std::filesystem::path adminKubeconfig;

  static PkiFiles under(const std::filesystem::path& dataDir);
  std::filesystem::path clientCert(std::string_view name) const;  // client-<name>.crt
  std::filesystem::path clientKey(std::string_view name) const;   // client-<name>.key
};

// The inputs of the apiserver's serving SANs.
struct ServingNames {
  std::string bindAddress;  // skipped if empty or unspecified (0.0.0.0, ::)
  std::string hostName;     // gethostname() if empty
  std::string clusterDomain = "cluster.local";
  std::string firstServiceIp = "10.43.0.1";
  std::vector<std::string> extraSans;  // --tls-san values
};

// 127.0.0.1, localhost, the host name, the bind address, kubernetes,
// kubernetes.default, kubernetes.default.svc, kubernetes.default.svc.<domain>, the first
// service IP, then the extra SANs; classified into DNS names and IPs.
SubjectAltNames servingAltNames(const ServingNames& names);

inline constexpr std::string_view kAdminUser = "system:admin";
inline constexpr std::string_view kMastersGroup = "system:masters";

class ClusterPki {
 public:
  // Loads the PKI under `dataDir`, creating or reissuing what is missing or stale.
  static Result<ClusterPki> loadOrCreate(const std::filesystem::path& dataDir,
                                         const SubjectAltNames& servingSans);

  const CertifiedKey& serverCa() const { return serverCa_; }
  const CertifiedKey& clientCa() const { return clientCa_; }
  const CertifiedKey& serving() const { return serving_; }
  const CertifiedKey& admin() const { return admin_; }
  const PkiFiles& files() const { return files_; }

  // What loadOrCreate and ensureClientCertificate did, one line each ("created server
  // CA", "reissued serving-kube-apiserver.crt: SANs changed"), for the server's log.
  const std::vector<std::string>& changes() const { return changes_; }

  // Loads client-<name>.crt/.key, issuing them from the client CA if missing or stale.
  Result<CertifiedKey> ensureClientCertificate(std::string_view name, const ClientIdentity& identity);

  // A kubeconfig for https://127.0.0.1:<port> trusting the server CA and
  // authenticating with `client`.
  Kubeconfig kubeconfigFor(const CertifiedKey& client, int port) const;
  Kubeconfig adminKubeconfig(int port) const { return kubeconfigFor(admin_, port); }

  // Writes adminKubeconfig(port) to files().adminKubeconfig.
  Result<void> writeAdminKubeconfig(int port) const;

 private:
  ClusterPki() = default;

  PkiFiles files_;
  CertifiedKey serverCa_;
  CertifiedKey clientCa_;
  CertifiedKey serving_;
  CertifiedKey admin_;
  std::vector<std::string> changes_;
};

}  // namespace kcpp::pki
