#pragma once
// Owning pointers for the OpenSSL objects the PKI room handles, and a helper that
// turns OpenSSL's thread-local error queue into a kcpp Error.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "util/error.h"

namespace kcpp::pki {

template <class T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};

using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME, X509_NAME_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE, X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using X509ExtensionPtr =
    std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION, X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpenSslDeleter<GENERAL_NAME, GENERAL_NAME_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using Asn1OctetStringPtr =
    std::unique_ptr<ASN1_OCTET_STRING, OpenSslDeleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, OpenSslDeleter<ASN1_STRING, ASN1_STRING_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslDeleter<ASN1_TIME, ASN1_TIME_free>>;
using EvpEncodeCtxPtr =
    std::unique_ptr<EVP_ENCODE_CTX, OpenSslDeleter<EVP_ENCODE_CTX, EVP_ENCODE_CTX_free>>;

// Memory that OpenSSL allocated with OPENSSL_malloc (ASN1_STRING_to_UTF8 output).
struct OpenSslFree {
  void operator()(void* p) const;
};
template <class T>
using OpenSslBuffer = std::unique_ptr<T, OpenSslFree>;

// Drains the calling thread's OpenSSL error queue into one readable line.
std::string drainOpenSslErrors();

// An InternalError "<what>: <queued OpenSSL errors>".
Error openSslError(const std::string& what);

// A new memory BIO, or a crash: allocation failure of a few bytes is not recoverable.
BioPtr newMemoryBio();

// The bytes written to a memory BIO.
std::string memoryBioContents(BIO* bio);

}  // namespace kcpp::pki
