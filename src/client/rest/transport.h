#pragma once
// Transport: how a RestClient's requests travel to the API server. The default
// is HTTPS with keep-alive connections (https_transport.h); a component running
// inside the server process (the embedded controller-manager and scheduler) is
// given one that hands requests to the server in memory, with the same
// authentication, authorization, admission and audit, but without TLS, HTTP
// framing and sockets (upstream's loopback client does this over a loopback
// TLS connection; in one process we can skip the wire entirely).
//
// A transport carries bytes: the RestClient keeps the rate limit, the retries of
// 429/503 and the decoding of answers.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::client {

struct TransportRequest {
  std::string method;  // "GET"
  std::string target;  // path and query
  std::string body;
  std::string contentType;
  std::string userAgent;
  std::string bearerToken;        // empty: none
  std::string clientCertificate;  // PEM of the client certificate the kubeconfig names, if any
};

struct TransportAnswer {
  int status = 0;  // 0: the request did not get an answer (body says why)
  std::string body;
  std::optional<int> retryAfterSeconds;
};

struct WatchEvent {
  std::string type;  // ADDED MODIFIED DELETED BOOKMARK ERROR
  boost::json::object object;
};

// One watch response, read event by event.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // The next event; nullopt when the server ended the stream (timeout). An ERROR
  // event (e.g. 410 Expired) is returned as an event, for the caller to decide.
  virtual boost::asio::awaitable<Result<std::optional<WatchEvent>>> next() = 0;
  // Ends the stream now: a pending next() fails.
  virtual void close() = 0;
};
using WatchStreamPtr = std::unique_ptr<WatchStream>;

class Transport {
 public:
  virtual ~Transport() = default;
  // One request, one answer. Retrying a connection the server had closed is the
  // transport's business; everything else is the caller's.
  virtual boost::asio::awaitable<TransportAnswer> roundTrip(TransportRequest request) = 0;
  // A streamed GET: the stream once the server answered 200, else the Error the
  // answer describes (errorFromResponse).
  virtual boost::asio::awaitable<Result<WatchStreamPtr>> watch(TransportRequest request) = 0;
};

// The Error a non-2xx answer's body (a Status, or anything else) describes.
Error errorFromResponse(int httpStatus, const std::string& body);

// Splits a watch body into lines and decodes each as a watch event; shared by
// the transports, which differ only in where the bytes come from.
class WatchLineDecoder {
 public:
  void append(std::string_view bytes) { pending_.append(bytes); }
  // The next complete event, nullopt when no whole line is pending yet.
  std::optional<Result<WatchEvent>> next();

 private:
  std::string pending_;
  std::size_t consumed_ = 0;  // bytes of pending_ already decoded
};

}  // namespace kcpp::client
