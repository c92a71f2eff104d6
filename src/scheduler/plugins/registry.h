#pragma once
// The in-tree plugins, as a plain name → factory table (upstream's
// NewInTreeRegistry), and the default profile (upstream's getDefaultPlugins):
// which plugins run at each extension point, and the score weights.
#include "scheduler/framework/framework.h"

namespace kcpp::scheduler::plugins {

PluginRegistry inTreeRegistry();

// The default-scheduler profile with every default plugin enabled.
Profile defaultProfile();

}  // namespace kcpp::scheduler::plugins
