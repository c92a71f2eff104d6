#pragma once
// events.k8s.io/v1 Events are the core/v1 Events seen through another version:
// upstream stores one object and converts (pkg/apis/events/v1 conversion), so an
// Event written through either API is read through both. Renamed fields:
//   regarding ↔ involvedObject          note ↔ message
//   reportingController ↔ reportingComponent
//   deprecatedSource ↔ source           deprecatedCount ↔ count
//   deprecatedFirstTimestamp ↔ firstTimestamp
//   deprecatedLastTimestamp ↔ lastTimestamp
// The rest (eventTime, series, action, reason, related, type, reportingInstance)
// keep their names.

#include "apiserver/registry/registry.h"

namespace kcpp::apiserver {

class EventsV1Conversion : public Conversion {
 public:
  json::object toStorage(json::object served) const override;
  json::object fromStorage(json::object stored) const override;
};

}  // namespace kcpp::apiserver
