#pragma once
// Impersonation, as upstream's WithImpersonation filter: a request carrying
// Impersonate-User (and Impersonate-Group / Impersonate-Uid) runs as that user
// when the authenticated user may "impersonate" users/groups/serviceaccounts/uids
// of those names; otherwise 403 with upstream's message.

#include "apiserver/authz/authorizer.h"
#include "apiserver/handlers/api_handler.h"
#include "util/error.h"

namespace kcpp::apiserver {

// Replaces request.user with the impersonated user when the headers ask for one.
Result<void> impersonate(ApiRequest& request, const Authorizer& authorizer);

}  // namespace kcpp::apiserver
