#pragma once
// The decision of the ResourceQuota admission plugin for one write, as upstream's
// CheckRequest: which of the namespace's quotas the object falls under, whether
// they can tell its usage, and whether it fits; the quotas as they would be
// once it is charged. Pure: the plugin reads and writes the quotas around it.

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "quota/evaluator.h"

namespace kcpp::apiserver::admission {

namespace json = boost::json;

struct QuotaRequest {
  quota::Operation operation = quota::Operation::Create;
  const json::object* object = nullptr;
  const json::object* oldObject = nullptr;  // updates: the stored object
};

struct QuotaCheck {
  // Empty when the request fits; else the reason it is forbidden.
  std::string forbidden;
  // The quotas with the request charged to status.used (same order as given).
  std::vector<quota::ResourceQuota> quotas;
};

QuotaCheck checkRequest(std::vector<quota::ResourceQuota> quotas, const QuotaRequest& request,
                        const quota::Evaluator& evaluator, quota::Clock::time_point now);

}  // namespace kcpp::apiserver::admission
