#pragma once
// The TokenRequest API: POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token
// (authentication.k8s.io/v1 TokenRequest) answers a signed service-account token.

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apiserver/authn/service_account_token.h"
#include "apiserver/registry/registry.h"
#include "apiserver/request/request_info.h"

namespace kcpp::apiserver {

struct ApiRequest;
struct ApiResponse;

struct TokenRequestConfig {
  std::shared_ptr<const ServiceAccountTokenSigner> signer;  // unset: the API is not served
  std::vector<std::string> apiAudiences;                    // spec.audiences when empty
  // The uid of the object spec.boundObjectRef names ("Pod" or "Secret" <ns>/<name>),
  // or its error (NotFound); unset: bound tokens are refused.
  std::function<boost::asio::awaitable<Result<std::string>>(
      const std::string& kind, const std::string& ns, const std::string& name)>
      boundObjectUid;
};

// The answer to a request for the token subresource of serviceaccounts.
boost::asio::awaitable<ApiResponse> handleTokenRequest(const ApiRequest& request,
                                                       const RequestInfo& info,
                                                       Registry& serviceAccounts,
                                                       const TokenRequestConfig& config);

}  // namespace kcpp::apiserver
