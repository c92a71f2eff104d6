#include "kubelet/prober/grpc_probe.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

namespace kcpp::kubelet::prober {

namespace asio = boost::asio;

namespace {

constexpr const char* kCheckMethod = "/grpc.health.v1.Health/Check";

void appendVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

std::string statusName(int status) {
  switch (status) {
    case 0: return "UNKNOWN";
    case 1: return "SERVING";
    case 2: return "NOT_SERVING";
    case 3: return "SERVICE_UNKNOWN";
    default: return std::to_string(status);
  }
}

grpc::ByteBuffer toBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string fromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// One generic unary call, its completion handed back to the coroutine's executor.
struct Call {
  grpc::ClientContext context;
  grpc::ByteBuffer request, response;
};

asio::awaitable<grpc::Status> unaryCall(grpc::GenericStub& stub, Call& call) {
  auto executor = co_await asio::this_coro::executor;
  auto initiation = [&stub, &call, executor](auto handler) {
        // gRPC wants a copyable callback; the awaitable's handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto work = asio::make_work_guard(executor);
        stub.UnaryCall(&call.context, kCheckMethod, grpc::StubOptions(), &call.request,
                       &call.response, [shared, work, executor](grpc::Status status) {
                         asio::post(executor, [shared, status]() mutable { (*shared)(status); });
                       });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(grpc::Status)>(
      initiation, asio::use_awaitable);
}

}  // namespace

std::string encodeHealthCheckRequest(const std::string& service) {
  std::string out;
  if (service.empty()) return out;
  out += '\x0a';  // field 1, length-delimited
  appendVarint(out, service.size());
  return out + service;
}

std::string encodeHealthCheckResponse(int status) {
  std::string out;
  if (status == 0) return out;
  out += '\x08';  // field 1, varint
  appendVarint(out, static_cast<std::uint64_t>(status));
  return out;
}

int decodeHealthCheckStatus(const std::string& bytes) {
  int status = 0;
  std::size_t i = 0;
  auto varint = [&](std::uint64_t& v) {
    v = 0;
    for (int shift = 0; i < bytes.size() && shift < 64; shift += 7) {
      auto b = static_cast<unsigned char>(bytes[i++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  while (i < bytes.size()) {
    std::uint64_t tag = 0, value = 0;
    if (!varint(tag)) return -1;
    switch (tag & 7) {
      case 0:
        if (!varint(value)) return -1;
        if ((tag >> 3) == 1) status = static_cast<int>(value);
        break;
      case 2:
        if (!varint(value) || i + value > bytes.size()) return -1;
        i += value;
        break;
      case 1: i += 8; break;
      case 5: i += 4; break;
      default: return -1;
    }
  }
  return i == bytes.size() ? status : -1;
}

asio::awaitable<ProbeResult> grpcProbe(std::string host, int port, std::string service,
                                       std::chrono::milliseconds timeout) {
  bool v6 = host.find(':') != std::string::npos;
  std::string address = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  grpc::ChannelArguments args;
  args.SetUserAgentPrefix("kube-probe/1.33");
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  grpc::GenericStub stub(channel);
  auto call = std::make_unique<Call>();
  call->context.set_deadline(std::chrono::system_clock::now() + timeout);
  call->request = toBuffer(encodeHealthCheckRequest(service));
  grpc::Status status = co_await unaryCall(stub, *call);
  std::string within = goDuration(timeout);
  switch (status.error_code()) {
    case grpc::StatusCode::OK: break;
    case grpc::StatusCode::UNAVAILABLE:
      co_return ProbeResult{Outcome::Failure, "timeout: failed to connect service \"" + address +
                                                  "\" within " + within + ": " + status.error_message()};
    case grpc::StatusCode::UNIMPLEMENTED:
      co_return ProbeResult{Outcome::Failure,
                            "error: this server does not implement the grpc health protocol "
                            "(grpc.health.v1.Health): " + status.error_message()};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      co_return ProbeResult{Outcome::Failure, "timeout: health rpc did not complete within " + within};
    default:
      co_return ProbeResult{Outcome::Failure, "error: health rpc probe failed: rpc error: code = " +
                                                  std::to_string(status.error_code()) +
                                                  " desc = " + status.error_message()};
  }
  int serving = decodeHealthCheckStatus(fromBuffer(call->response));
  if (serving != 1) {
    co_return ProbeResult{Outcome::Failure, "service unhealthy (responded with \"" + statusName(serving) + "\")"};
  }
  co_return ProbeResult{Outcome::Success, "service healthy"};
}

}  // namespace kcpp::kubelet::prober
