#pragma once
// The in-tree plugins, as a plain name → factory table (upstream's
// NewInTreeRegistry), and the default profile (upstream's getDefaultPlugins):
// which plugins run at each extension point, and the score weights.
#include "scheduler/framework/framework.h"

namespace kcpp::scheduler::plugins {

PluginRegistry inTreeRegistry();

// The default-scheduler profile with every default plugin enabled.
Profile defaultProfile();

// The extension points each in-tree plugin implements ("PreFilter", "Filter",
// ...), for a configuration's multiPoint.
const std::map<std::string, std::vector<std::string>>& extensionPointsOf();

}  // namespace kcpp::scheduler::plugins
