#pragma once
// InformerFactory: one Informer per resource, shared by every controller that
// asks for it (upstream's SharedInformerFactory), so a process lists and
// watches each resource once.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "client/informer/informer.h"

namespace kcpp::client {

class InformerFactory {
 public:
  // `interner`: set, every informer shares parsed objects through it.
  explicit InformerFactory(RestClient& client, std::shared_ptr<ObjectInterner> interner = nullptr)
      : client_(client), interner_(std::move(interner)) {}

  // The informer of all objects of a resource (all namespaces), created on first
  // use; add indexers and handlers before start().
  Informer& forResource(const std::string& group, const std::string& version,
                        const std::string& resource);

  // The informer of a collection with a query (e.g. a field selector), shared
  // by whoever asks for the same one.
  Informer& forCollection(const ResourcePath& collection);

  // Runs every informer asked for so far on `executor`.
  void start(boost::asio::any_io_executor executor);
  // True once every informer has listed.
  bool hasSynced() const;
  // Waits (polling every 20 ms) until hasSynced() or `timeout`; returns hasSynced().
  boost::asio::awaitable<bool> waitForSync(std::chrono::milliseconds timeout);
  void stop();

 private:
  RestClient& client_;
  std::shared_ptr<ObjectInterner> interner_;
  std::map<std::string, std::unique_ptr<Informer>> informers_;
  std::map<std::string, bool> started_;
};

}  // namespace kcpp::client
