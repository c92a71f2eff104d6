#include "pki/certificate_info.h"

#include <arpa/inet.h>
#include <openssl/err.h>

#include <cstdio>
#include <ctime>

namespace kcpp::pki {
namespace {

std::string utf8(const ASN1_STRING* value) {
  unsigned char* raw = nullptr;
  int len = ASN1_STRING_to_UTF8(&raw, value);
  OpenSslBuffer<unsigned char> owned(raw);
  if (len < 0) {
    ERR_clear_error();
    return {};
  }
  return std::string(reinterpret_cast<const char*>(raw), static_cast<size_t>(len));
}

std::vector<std::string> subjectValues(const X509* cert, int nid) {
  std::vector<std::string> values;
  const X509_NAME* name = X509_get_subject_name(cert);
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    values.push_back(utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))));
  }
  return values;
}

std::string ipText(const ASN1_OCTET_STRING* ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  const unsigned char* bytes = ASN1_STRING_get0_data(ip);
  int len = ASN1_STRING_length(ip);
  int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC || inet_ntop(family, bytes, buf, sizeof buf) == nullptr) return {};
  return buf;
}

int purposeId(Purpose purpose) {
  switch (purpose) {
    case Purpose::ServerAuth: return X509_PURPOSE_SSL_SERVER;
    case Purpose::ClientAuth: return X509_PURPOSE_SSL_CLIENT;
    case Purpose::Any: break;
  }
  return 0;
}

}  // namespace

std::string commonName(const X509* cert) {
  auto names = subjectValues(cert, NID_commonName);
  return names.empty() ? std::string() : names.front();
}

std::vector<std::string> organizations(const X509* cert) {
  return subjectValues(cert, NID_organizationName);
}

SubjectAltNames subjectAltNames(const X509* cert) {
  SubjectAltNames sans;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return sans;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      sans.dnsNames.push_back(utf8(name->d.dNSName));
    } else if (name->type == GEN_IPADD) {
      if (auto ip = ipText(name->d.iPAddress); !ip.empty()) sans.ipAddresses.push_back(ip);
    }
  }
  return sans;
}

std::string fingerprintSha256(const X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  KCPP_CHECK(X509_digest(cert, EVP_sha256(), md, &len) == 1, "X509_digest failed");
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, i == 0 ? "%02X" : ":%02X", md[i]);
    out += hex;
  }
  return out;
}

bool expiresWithin(const X509* cert, std::chrono::seconds margin) {
  std::time_t at = std::time(nullptr) + static_cast<std::time_t>(margin.count());
  // X509_cmp_time: -1 if notAfter <= at, 1 if later, 0 on a malformed time.
  return X509_cmp_time(X509_get0_notAfter(cert), &at) <= 0;
}

bool keyMatchesCertificate(const X509* cert, EVP_PKEY* key) {
  bool ok = X509_check_private_key(cert, key) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

Result<void> verifyCertificate(X509* cert, X509* ca, Purpose purpose) {
  X509StorePtr store(X509_STORE_new());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  KCPP_CHECK(store && ctx, "X509_STORE_new/X509_STORE_CTX_new failed");
  if (X509_STORE_add_cert(store.get(), ca) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr) != 1) {
    return openSslError("preparing certificate verification");
  }
  if (int id = purposeId(purpose); id != 0 && X509_STORE_CTX_set_purpose(ctx.get(), id) != 1) {
    return openSslError("setting verification purpose");
  }
  if (X509_verify_cert(ctx.get()) == 1) return {};
  int code = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return makeError(Reason::Unauthorized, "certificate \"" + commonName(cert) +
                                             "\" does not verify against CA \"" + commonName(ca) +
                                             "\": " + X509_verify_cert_error_string(code));
}

}  // namespace kcpp::pki
