#pragma once
// SelfSubjectAccessReview (authorization.k8s.io/v1): "may I do this?", asked by
// the requesting user about itself (`kubectl auth can-i`). Create-only and never
// stored, as upstream's; answered by the server's authorizer.

#include <optional>

#include "api/schema/resource_type.h"
#include "apiserver/authz/authorizer.h"
#include "apiserver/handlers/api_handler.h"

namespace kcpp::apiserver {

// The response when `info` addresses the review resource; nullopt otherwise.
std::optional<ApiResponse> accessReview(const ApiRequest& request, const RequestInfo& info,
                                        const Authorizer& authorizer);

// The review resources, for discovery.
const std::vector<api::ResourceType>& accessReviewTypes();

}  // namespace kcpp::apiserver
