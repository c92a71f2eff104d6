#include "kubelet/cri/grpc_status.h"

namespace kcpp::kubelet::cri {

const char* grpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "Canceled";
    case grpc::StatusCode::UNKNOWN: return "Unknown";
    case grpc::StatusCode::INVALID_ARGUMENT: return "InvalidArgument";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DeadlineExceeded";
    case grpc::StatusCode::NOT_FOUND: return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS: return "AlreadyExists";
    case grpc::StatusCode::PERMISSION_DENIED: return "PermissionDenied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "ResourceExhausted";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FailedPrecondition";
    case grpc::StatusCode::ABORTED: return "Aborted";
    case grpc::StatusCode::OUT_OF_RANGE: return "OutOfRange";
    case grpc::StatusCode::UNIMPLEMENTED: return "Unimplemented";
    case grpc::StatusCode::INTERNAL: return "Internal";
    case grpc::StatusCode::UNAVAILABLE: return "Unavailable";
    case grpc::StatusCode::DATA_LOSS: return "DataLoss";
    case grpc::StatusCode::UNAUTHENTICATED: return "Unauthenticated";
    default: return "Unknown";
  }
}

Reason reasonForGrpcCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::NOT_FOUND: return Reason::NotFound;
    case grpc::StatusCode::ALREADY_EXISTS: return Reason::AlreadyExists;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return Reason::Timeout;
    // The runtime is down or restarting, or our call was abandoned: retry later.
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::CANCELLED: return Reason::ServiceUnavailable;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE: return Reason::BadRequest;
    case grpc::StatusCode::PERMISSION_DENIED: return Reason::Forbidden;
    case grpc::StatusCode::UNAUTHENTICATED: return Reason::Unauthorized;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return Reason::TooManyRequests;
    // The object is in the wrong state for the call (exec in a stopped container).
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED: return Reason::Conflict;
    case grpc::StatusCode::UNIMPLEMENTED: return Reason::MethodNotAllowed;
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS: return Reason::InternalError;
    // containerd answers UNKNOWN for most operational failures (a pull that
    // cannot reach its registry, a runc error): a 500 without a reason.
    default: return Reason::Unknown;
  }
}

Error errorFromGrpcStatus(const grpc::Status& status) {
  KCPP_CHECK(!status.ok(), "errorFromGrpcStatus of an OK status");
  std::string message = "rpc error: code = ";
  message += grpcCodeName(status.error_code());
  message += " desc = ";
  message += status.error_message();
  return makeError(reasonForGrpcCode(status.error_code()), std::move(message));
}

bool isUnimplemented(const Error& error) {
  return error.reason == Reason::MethodNotAllowed &&
         error.message.starts_with("rpc error: code = Unimplemented ");
}

}  // namespace kcpp::kubelet::cri
