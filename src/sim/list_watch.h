#pragma once
// ListWatch: a reflector without a cache. It LISTs a collection, then WATCHes
// from the list's resourceVersion (resuming after a dropped stream, relisting
// after 410 Gone, backing off on failures), and hands every object to its
// handlers to keep what they need. The simulated nodes use it instead of an
// Informer so that 30,000 pods cost a few small structs, not 30,000 documents.
//
// Not thread-safe: run() and stop() on one executor.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "client/rest/rest_client.h"

namespace kcpp::sim {

namespace json = boost::json;

struct ListWatchHandlers {
  // An object listed, added or modified.
  std::function<void(const json::object&)> upsert;
  // An object deleted.
  std::function<void(const json::object&)> remove;
  // After each list: the keys ("ns/name" or "name") it held, so that the
  // handler can drop what disappeared while no watch was open.
  std::function<void(const std::set<std::string>&)> listed;
};

class ListWatch {
 public:
  ListWatch(client::RestClient& client, client::ResourcePath collection, ListWatchHandlers handlers)
      : client_(client), collection_(std::move(collection)), handlers_(std::move(handlers)) {}

  boost::asio::awaitable<void> run();
  void stop();
  bool synced() const { return synced_; }

 private:
  boost::asio::awaitable<Result<void>> list();
  boost::asio::awaitable<Result<void>> watch();

  client::RestClient& client_;
  client::ResourcePath collection_;
  ListWatchHandlers handlers_;
  std::string resourceVersion_;
  bool synced_ = false;
  bool stopped_ = false;
  client::WatchStream* stream_ = nullptr;
  std::unique_ptr<boost::asio::steady_timer> sleeper_;
};

}  // namespace kcpp::sim
