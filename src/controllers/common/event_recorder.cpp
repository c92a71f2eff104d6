#include "controllers/common/event_recorder.h"

namespace kcpp::controllers {

void EventRecorder::record(const boost::json::object& object, const std::string& type,
                           const std::string& reason, const std::string& message) {
  writer_.write(client::record::makeEvent(object, component_, type, reason, message,
                                          writer_.clock()()));
}

}  // namespace kcpp::controllers
