#pragma once
// Request bodies in Kubernetes' protobuf encoding, as typed Go clients (kubectl
// 1.32+) send them: the magic "k8s\0", then a runtime.Unknown envelope
// {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3,
// contentType = 4} whose raw bytes are the object's message.

#include <boost/json/value.hpp>

#include <string_view>

#include "util/error.h"

namespace kcpp::protobuf {

class DescriptorTable;

inline constexpr std::string_view kProtobufMediaType = "application/vnd.kubernetes.protobuf";
inline constexpr std::string_view kProtobufMagic{"k8s\0", 4};

// The object as Kubernetes' JSON encoding would write it: apiVersion and kind from
// the envelope, JSON field names, and Go's omitempty rules. Malformed bodies,
// unknown kinds and values Go could not encode are BadRequest.
Result<boost::json::value> decodeKubernetesProtobuf(std::string_view body);
Result<boost::json::value> decodeKubernetesProtobuf(const DescriptorTable& table,
                                                    std::string_view body);

}  // namespace kcpp::protobuf
