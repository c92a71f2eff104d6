#include "scheduler/event_sink.h"

namespace kcpp::scheduler {

namespace {

client::record::EventWriterOptions sinkOptions(int workers, std::size_t backlog) {
  client::record::EventWriterOptions options;
  options.workers = workers;
  options.backlog = backlog;
  options.correlator.spamBurst = 0;           // upstream's events/v1 recorder has no spam filter
  options.correlator.aggregateMaxEvents = 0;  // nor aggregation; repeats become counts
  return options;
}

}  // namespace

EventSink::EventSink(client::RestClient& client, boost::asio::any_io_executor executor, int workers,
                     std::size_t backlog)
    : writer_(client, std::move(executor), sinkOptions(workers, backlog)) {}

void EventSink::record(const boost::json::object& ref, const std::string& component,
                       const std::string& type, const std::string& reason,
                       const std::string& message) {
  writer_.write(client::record::makeEvent(ref, component, type, reason, message, writer_.clock()()));
}

}  // namespace kcpp::scheduler
