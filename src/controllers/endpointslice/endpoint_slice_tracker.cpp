#include "controllers/endpointslice/endpoint_slice_tracker.h"

#include <charconv>

#include "api/meta/object.h"

namespace kcpp::controllers::endpointslice {

namespace {

std::uint64_t versionOf(const boost::json::object& slice) {
  std::string_view rv = api::metaResourceVersion(slice);
  std::uint64_t out = 0;
  std::from_chars(rv.data(), rv.data() + rv.size(), out);
  return out;
}

}  // namespace

void EndpointSliceTracker::update(const std::string& serviceKey, const boost::json::object& slice) {
  services_[serviceKey][std::string(api::metaName(slice))] = versionOf(slice);
}

void EndpointSliceTracker::expectDeletion(const std::string& serviceKey, const std::string& sliceName) {
  services_[serviceKey][sliceName] = kDeleted;
}

bool EndpointSliceTracker::shouldSync(const std::string& serviceKey, const boost::json::object& slice) const {
  auto service = services_.find(serviceKey);
  if (service == services_.end()) return true;
  auto it = service->second.find(std::string(api::metaName(slice)));
  if (it == service->second.end() || it->second == kDeleted) return true;
  return versionOf(slice) > it->second;  // someone else changed it
}

bool EndpointSliceTracker::handleDeletion(const std::string& serviceKey, const std::string& sliceName) {
  auto service = services_.find(serviceKey);
  if (service == services_.end()) return true;
  auto it = service->second.find(sliceName);
  if (it == service->second.end()) return true;
  bool expected = it->second == kDeleted;
  service->second.erase(it);
  return !expected;
}

bool EndpointSliceTracker::stale(const std::string& serviceKey, const std::vector<SlicePtr>& cached) const {
  auto service = services_.find(serviceKey);
  if (service == services_.end()) return false;
  std::map<std::string_view, std::uint64_t> cachedVersions;
  for (const SlicePtr& s : cached) cachedVersions[api::metaName(*s)] = versionOf(*s);
  for (const auto& [name, version] : service->second) {
    auto it = cachedVersions.find(name);
    if (version == kDeleted) {
      if (it != cachedVersions.end()) return true;  // still cached after we deleted it
    } else if (it == cachedVersions.end() || it->second < version) {
      return true;  // not yet cached, or cached older than our write
    }
  }
  return false;
}

}  // namespace kcpp::controllers::endpointslice
