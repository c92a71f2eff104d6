#pragma once
// What the files of an API-backed volume hold (upstream's MakePayload of the
// configmap, secret, downwardapi and projected plugins), from objects already
// fetched. Pure functions: the VolumeManager fetches, these shape.

#include <boost/json.hpp>

#include <string>

#include "kubelet/volumes/atomic_writer.h"
#include "kubelet/volumes/downward_api.h"
#include "util/error.h"

namespace kcpp::kubelet::volumes {

inline constexpr mode_t kDefaultVolumeMode = 0644;  // configMap/secret/downwardAPI/projected

// source: a configMap/secret volume source or projection ({items, optional});
// object: the ConfigMap/Secret, nullptr when missing and optional (no files).
Result<Payload> configMapPayload(const boost::json::object* configMap,
                                 const boost::json::object& source, mode_t defaultMode);
Result<Payload> secretPayload(const boost::json::object* secret, const boost::json::object& source,
                              mode_t defaultMode);
// items: downwardAPI items ({path, fieldRef|resourceFieldRef, mode}).
Result<Payload> downwardApiPayload(const boost::json::object& pod, const boost::json::array& items,
                                   mode_t defaultMode, const ResourceList& nodeAllocatable);

// source.defaultMode, or the plugin default.
mode_t defaultModeOf(const boost::json::object& source);

}  // namespace kcpp::kubelet::volumes
