#pragma once
// The per-resource strategies of the registries: a plain table (see
// strategies.cpp). Resources it does not name use the default Strategy.

#include <string>

#include "apiserver/registry/strategy.h"

namespace kcpp::cmd {

// What strategies need from the server's flags.
struct StrategyConfig {
  std::string serviceCidr;
  std::string serviceNodePortRange;
};

apiserver::StrategyPtr strategyFor(const std::string& group, const std::string& resource,
                                   const StrategyConfig& config);

}  // namespace kcpp::cmd
