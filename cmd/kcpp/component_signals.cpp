#include "component_signals.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

namespace kcpp::cmd {

namespace asio = boost::asio;

void runUntilSignalled(const std::function<int()>& run, std::function<void()> requestStop) {
  // Owned by the signal thread, which is never joined (the process _Exits).
  auto signalIo = std::make_shared<asio::io_context>();
  auto signals = std::make_shared<asio::signal_set>(*signalIo, SIGINT, SIGTERM);
  signals->async_wait([requestStop = std::move(requestStop)](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    requestStop();
  });
  std::thread([signalIo, signals] { signalIo->run(); }).detach();
  int exitCode = run();
  spdlog::shutdown();
  std::fflush(nullptr);
  std::_Exit(exitCode);
}

}  // namespace kcpp::cmd
