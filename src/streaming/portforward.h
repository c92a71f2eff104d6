#pragma once
// portforward.k8s.io over SPDY: for each connection kubectl accepts locally it
// opens a pair of streams sharing a requestID header — streamType "error" and
// streamType "data", both with a "port" header. The server connects to that
// port in the pod and copies bytes between the data stream and the
// connection; a failure is written as text on the error stream, as upstream's
// kubelet ("error forwarding port 80 to pod <name>, uid : <cause>").

#include <boost/asio/awaitable.hpp>

#include <string>

#include "streaming/byte_stream.h"
#include "streaming/spdy_connection.h"
#include "util/error.h"

namespace kcpp::streaming {

// Connects to a port of the pod (the runtime side of port-forward).
class PortDialer {
 public:
  virtual ~PortDialer() = default;
  virtual boost::asio::awaitable<Result<ByteStreamPtr>> dial(std::uint16_t port) = 0;
  // Ends the write side of a dialed stream once the client finished sending.
  virtual void shutdownWrite(ByteStream& stream) = 0;
};

// Serves every stream pair on `connection` until it ends. `podName` and
// `podUid` appear in error messages.
boost::asio::awaitable<void> servePortForward(spdy::SpdyConnection& connection, PortDialer& dialer,
                                              std::string podName, std::string podUid);

}  // namespace kcpp::streaming
