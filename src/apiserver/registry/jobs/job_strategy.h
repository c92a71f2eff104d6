#pragma once
// Jobs (upstream pkg/registry/batch/job): unless spec.manualSelector is true,
// the server generates the selector on create, so that a Job's pods match only
// that Job: the template gets the labels batch.kubernetes.io/controller-uid and
// batch.kubernetes.io/job-name (and the legacy controller-uid / job-name), and
// the selector matches batch.kubernetes.io/controller-uid. A label the user set
// is kept (validation then rejects a mismatch), as upstream.

#include "apiserver/registry/strategy.h"

namespace kcpp::apiserver {

class JobStrategy : public Strategy {
 public:
  void prepareForCreate(json::object& obj) const override;
};

// The generated selector and template labels of upstream's generateSelector;
// `job` must already have its name and uid.
void generateJobSelector(json::object& job);

}  // namespace kcpp::apiserver
