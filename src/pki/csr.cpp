#include "pki/csr.h"

#include <arpa/inet.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace kcpp::pki {

namespace {

using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<X509_REQ, X509_REQ_free>>;

std::vector<std::string> nameEntries(X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i)) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) continue;
    OpenSslBuffer<unsigned char> owned(utf8);
    out.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
  }
  return out;
}

SubjectAltNames altNamesOf(X509_REQ* req) {
  std::vector<std::string> names;
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
  if (!exts) return {};
  auto* general = static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts, NID_subject_alt_name, nullptr, nullptr));
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  if (!general) return {};
  GeneralNamesPtr owned(general);
  for (int i = 0; i < sk_GENERAL_NAME_num(general); ++i) {
    GENERAL_NAME* n = sk_GENERAL_NAME_value(general, i);
    if (n->type == GEN_DNS) {
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                         static_cast<std::size_t>(ASN1_STRING_length(n->d.dNSName)));
    } else if (n->type == GEN_IPADD) {
      const unsigned char* bytes = ASN1_STRING_get0_data(n->d.iPAddress);
      int len = ASN1_STRING_length(n->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      if ((len == 4 || len == 16) && inet_ntop(len == 4 ? AF_INET : AF_INET6, bytes, text, sizeof text)) {
        names.emplace_back(text);
      }
    }
  }
  return classifyAltNames(names);
}

}  // namespace

Result<CsrInfo> parseCsrPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return openSslError("reading a certificate request");
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  drainOpenSslErrors();
  if (!req) return makeError(Reason::Invalid, "PEM block type must be CERTIFICATE REQUEST");
  EvpPkeyPtr key(X509_REQ_get_pubkey(req.get()));
  if (!key || X509_REQ_verify(req.get(), key.get()) != 1) {
    drainOpenSslErrors();
    return makeError(Reason::Invalid, "x509: ECDSA verification failure");
  }
  CsrInfo info;
  X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  auto cn = nameEntries(subject, NID_commonName);
  if (!cn.empty()) info.commonName = cn.front();
  info.organizations = nameEntries(subject, NID_organizationName);
  info.altNames = altNamesOf(req.get());
  info.publicKey = std::move(key);
  return info;
}

Result<std::string> createCsrPem(EVP_PKEY* key, std::string_view commonName,
                                 const std::vector<std::string>& organizations) {
  X509ReqPtr req(X509_REQ_new());
  if (!req) return openSslError("creating a certificate request");
  X509_REQ_set_version(req.get(), 0);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  for (const std::string& o : organizations) {
    X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(o.data()), static_cast<int>(o.size()), -1, 0);
  }
  X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(commonName.data()),
                             static_cast<int>(commonName.size()), -1, 0);
  if (X509_REQ_set_pubkey(req.get(), key) != 1 || X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) {
    return openSslError("signing a certificate request");
  }
  BioPtr out = newMemoryBio();
  if (PEM_write_bio_X509_REQ(out.get(), req.get()) != 1) return openSslError("writing a certificate request");
  return memoryBioContents(out.get());
}

}  // namespace kcpp::pki
