#pragma once
// gRPC status → kcpp Error, for every CRI call.
//
// The reason follows the gRPC code; the message is the one upstream's kubelet
// shows (Go's grpc error string, "rpc error: code = NotFound desc = ..."), which
// is what users see in pod status messages (e.g. ErrImagePull) and which keeps
// the exact code for callers that need it (isUnimplemented).

#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::kubelet::cri {

// Go's name of a gRPC code ("NotFound", "DeadlineExceeded", "Canceled", ...).
const char* grpcCodeName(grpc::StatusCode code);

Reason reasonForGrpcCode(grpc::StatusCode code);

// The Error for a failed call (status.ok() is a broken invariant).
Error errorFromGrpcStatus(const grpc::Status& status);

// Whether an Error came from a runtime that does not implement the RPC
// (upstream tolerates that for optional RPCs such as ListPodSandboxStats).
bool isUnimplemented(const Error& error);

}  // namespace kcpp::kubelet::cri
