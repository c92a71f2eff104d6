#pragma once
// EndpointSliceTracker (upstream endpointslice/util): remembers the slices a
// controller wrote and deleted, by the resourceVersion each write returned, so
// that (a) the informer events of its own writes do not trigger another sync
// and (b) a sync that would read a cache older than its own last writes is
// retried later instead of creating duplicate slices. (Upstream tracks
// metadata.generation; resourceVersion serves the same purpose here.)

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kcpp::controllers::endpointslice {

class EndpointSliceTracker {
 public:
  using SlicePtr = std::shared_ptr<const boost::json::object>;

  // After a create or update: the slice as the server returned it.
  void update(const std::string& serviceKey, const boost::json::object& slice);
  void expectDeletion(const std::string& serviceKey, const std::string& sliceName);
  // An informer add/update: true unless it is our own write (or older).
  bool shouldSync(const std::string& serviceKey, const boost::json::object& slice) const;
  // An informer delete: true when we did not ask for it.
  bool handleDeletion(const std::string& serviceKey, const std::string& sliceName);
  // The cached slices predate our writes for this Service.
  bool stale(const std::string& serviceKey, const std::vector<SlicePtr>& cached) const;
  void deleteService(const std::string& serviceKey) { services_.erase(serviceKey); }

 private:
  static constexpr std::uint64_t kDeleted = 0;  // a slice we deleted (no real version is 0)
  // service key → slice name → resourceVersion we wrote (kDeleted: deleted)
  std::map<std::string, std::map<std::string, std::uint64_t>> services_;
};

}  // namespace kcpp::controllers::endpointslice
