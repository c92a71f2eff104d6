#pragma once
// What `kcpp server` shares with the components it runs inside itself (the
// controller-manager and the scheduler); empty for a component run as its own
// process, which reaches the API over HTTPS and keeps its own objects.

#include <memory>

#include "client/informer/object_interner.h"
#include "client/rest/transport.h"

namespace kcpp::cmd {

struct Embedding {
  // Requests in memory to the server (apiserver/loopback).
  std::shared_ptr<client::Transport> transport;
  // One parsed copy of each object version across the components' informers.
  std::shared_ptr<client::ObjectInterner> interner;
};

}  // namespace kcpp::cmd
