#pragma once
// Parsing of list and watch query parameters (metav1.ListOptions) into the watch
// cache's ListOptions, and the continue token's encoding.

#include <string>

#include "api/schema/resource_type.h"
#include "apiserver/request/request_info.h"
#include "storage/cacher/watch_cache.h"
#include "util/error.h"

namespace kcpp::apiserver {

// labelSelector and fieldSelector (with the resource's supported fields) as one
// predicate; `name` (a watch of one object) adds metadata.name=name.
Result<storage::Predicate> selectorPredicate(const api::ResourceType& type,
                                             const QueryParams& query, const std::string& name);

Result<storage::ListOptions> parseListOptions(const api::ResourceType& type,
                                              const QueryParams& query);

std::string encodeContinue(storage::Revision revision, const std::string& afterKey);

// 422 ListOptions errors with upstream's wording.
Error listOptionsInvalid(const std::string& field, const std::string& message);

}  // namespace kcpp::apiserver
