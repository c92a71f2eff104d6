#pragma once
// What both certificate controllers read of a CertificateSigningRequest.

#include <boost/json.hpp>

#include <set>
#include <string>

#include "pki/csr.h"
#include "util/error.h"

namespace kcpp::controllers::csr {

inline constexpr const char* kKubeletClientSigner = "kubernetes.io/kube-apiserver-client-kubelet";
inline constexpr const char* kApiserverClientSigner = "kubernetes.io/kube-apiserver-client";
inline constexpr const char* kKubeletServingSigner = "kubernetes.io/kubelet-serving";

// The condition of `type` with status True (or no status, as older clients write).
bool hasCondition(const boost::json::object& csr, std::string_view type);
std::set<std::string> usagesOf(const boost::json::object& csr);
// spec.request, base64-decoded and parsed.
Result<pki::CsrInfo> parseRequest(const boost::json::object& csr);

// Upstream's isNodeClientCert: O=[system:nodes], CN system:node:<name>, and
// usages "client auth" + "digital signature" (+ "key encipherment" allowed).
bool isNodeClientCert(const pki::CsrInfo& request, const std::set<std::string>& usages);

}  // namespace kcpp::controllers::csr
