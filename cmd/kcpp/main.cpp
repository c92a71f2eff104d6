// kcpp: Kubernetes in one C++ binary. main only dispatches subcommands; each
// command wires its components in its own file.
#include <CLI/CLI.hpp>

#include <iostream>

#include "agent_command.h"
#include "controller_manager_command.h"
#include "images_command.h"
#include "kubelet_command.h"
#include "scheduler_command.h"
#include "server_command.h"
#include "sim_command.h"

// jemalloc's settings (cmd/kcpp/CMakeLists.txt links it), read by the allocator
// before main: pages freed are given back to the system after a second, so the
// resident size follows the working set after a burst (a scale-down, a relist).
extern "C" const char* malloc_conf;
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";

int main(int argc, char** argv) {
  CLI::App app{"kcpp: Kubernetes, written in C++"};
  app.require_subcommand(1);
  kcpp::cmd::ServerConfig serverConfig;
  CLI::App* server = kcpp::cmd::addServerCommand(app, serverConfig);
  kcpp::cmd::ControllerManagerConfig controllerManagerConfig;
  CLI::App* controllerManager =
      kcpp::cmd::addControllerManagerCommand(app, controllerManagerConfig);
  kcpp::cmd::SimConfig simConfig;
  CLI::App* sim = kcpp::cmd::addSimCommand(app, simConfig);
  kcpp::cmd::SchedulerConfig schedulerConfig;
  CLI::App* scheduler = kcpp::cmd::addSchedulerCommand(app, schedulerConfig);
  kcpp::cmd::ImagesConfig imagesConfig;
  CLI::App* images = kcpp::cmd::addImagesCommand(app, imagesConfig);
  kcpp::cmd::KubeletConfig kubeletConfig;
  CLI::App* kubelet = kcpp::cmd::addKubeletCommand(app, kubeletConfig);
  kcpp::cmd::AgentConfig agentConfig;
  CLI::App* agent = kcpp::cmd::addAgentCommand(app, agentConfig);
  CLI11_PARSE(app, argc, argv);
  if (server->parsed()) return kcpp::cmd::runServer(serverConfig);
  if (controllerManager->parsed()) return kcpp::cmd::runControllerManager(controllerManagerConfig);
  if (scheduler->parsed()) return kcpp::cmd::runScheduler(schedulerConfig);
  if (sim->parsed()) return kcpp::cmd::runSim(simConfig);
  if (images->parsed()) return kcpp::cmd::runImages(imagesConfig);
  if (kubelet->parsed()) return kcpp::cmd::runKubelet(kubeletConfig);
  if (agent->parsed()) return kcpp::cmd::runAgent(agentConfig);
  std::cerr << app.help() << "\n";
  return 2;
}
