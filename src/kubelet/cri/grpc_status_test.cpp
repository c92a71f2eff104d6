#include "kubelet/cri/grpc_status.h"

#include <gtest/gtest.h>

namespace kcpp::kubelet::cri {
namespace {

TEST(GrpcStatus, MapsCodesOntoReasons) {
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::NOT_FOUND), Reason::NotFound);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::ALREADY_EXISTS), Reason::AlreadyExists);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::DEADLINE_EXCEEDED), Reason::Timeout);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::UNAVAILABLE), Reason::ServiceUnavailable);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::CANCELLED), Reason::ServiceUnavailable);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::INVALID_ARGUMENT), Reason::BadRequest);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::PERMISSION_DENIED), Reason::Forbidden);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::UNAUTHENTICATED), Reason::Unauthorized);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::RESOURCE_EXHAUSTED), Reason::TooManyRequests);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::FAILED_PRECONDITION), Reason::Conflict);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::UNIMPLEMENTED), Reason::MethodNotAllowed);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::INTERNAL), Reason::InternalError);
  EXPECT_EQ(reasonForGrpcCode(grpc::StatusCode::UNKNOWN), Reason::Unknown);
}

TEST(GrpcStatus, MessageIsGoGrpcErrorString) {
  grpc::Status status(grpc::StatusCode::NOT_FOUND, "an error occurred when try to find container \"abc\": not found");
  Error e = errorFromGrpcStatus(status);
  EXPECT_EQ(e.reason, Reason::NotFound);
  EXPECT_EQ(e.code(), 404);
  EXPECT_EQ(e.message,
            "rpc error: code = NotFound desc = an error occurred when try to find container \"abc\": not found");
}

TEST(GrpcStatus, DeadlineIsTimeout) {
  Error e = errorFromGrpcStatus(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"));
  EXPECT_EQ(e.reason, Reason::Timeout);
  EXPECT_EQ(e.message, "rpc error: code = DeadlineExceeded desc = Deadline Exceeded");
}

TEST(GrpcStatus, UnimplementedIsRecognised) {
  Error e = errorFromGrpcStatus(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method ListPodSandboxStats"));
  EXPECT_TRUE(isUnimplemented(e));
  EXPECT_FALSE(isUnimplemented(errorFromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "x"))));
  EXPECT_FALSE(isUnimplemented(makeError(Reason::MethodNotAllowed, "method GET not allowed")));
}

TEST(GrpcStatus, CodeNamesAreGos) {
  EXPECT_STREQ(grpcCodeName(grpc::StatusCode::CANCELLED), "Canceled");
  EXPECT_STREQ(grpcCodeName(grpc::StatusCode::UNAVAILABLE), "Unavailable");
  EXPECT_STREQ(grpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "Unauthenticated");
}

}  // namespace
}  // namespace kcpp::kubelet::cri
