#pragma once
// How kcpp's standalone components (controller-manager, scheduler) end: SIGINT
// or SIGTERM asks the component to stop (it releases its lease), and the
// process then exits without tearing down, since suspended coroutines still
// hold the component's objects.

#include <functional>

namespace kcpp::cmd {

// Runs `run` (blocking, returns the exit code) with `requestStop` called on
// SIGINT/SIGTERM from a thread of its own; then exits the process.
[[noreturn]] void runUntilSignalled(const std::function<int()>& run, std::function<void()> requestStop);

}  // namespace kcpp::cmd
