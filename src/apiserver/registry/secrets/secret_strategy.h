#pragma once
// Secrets (upstream pkg/registry/core/secret): `stringData` is a write-only
// convenience merged into `data` (base64) on every write, as upstream's
// conversion does; it is never stored.

#include "apiserver/registry/strategy.h"

namespace kcpp::apiserver {

class SecretStrategy : public Strategy {
 public:
  void prepareForCreate(json::object& obj) const override;
  void prepareForUpdate(json::object& obj, const json::object& old) const override;
};

// Moves stringData entries into data, base64-encoded (stringData wins on a clash).
void mergeStringData(json::object& secret);

}  // namespace kcpp::apiserver
