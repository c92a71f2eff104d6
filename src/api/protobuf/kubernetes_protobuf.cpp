#include "api/protobuf/kubernetes_protobuf.h"

#include <string>

#include "api/protobuf/decode_error.h"
#include "api/protobuf/descriptor_table.h"
#include "api/protobuf/json_scalars.h"
#include "api/protobuf/message_decoder.h"

namespace kcpp::protobuf {

namespace json = boost::json;

namespace {

struct Envelope {
  std::string apiVersion;
  std::string kind;
  std::string_view raw;
  std::string_view contentEncoding;
};

Result<std::string_view> lengthDelimited(const WireField& field) {
  if (field.type != WireType::LengthDelimited) {
    return decodeError("wrong wire type for field " + std::to_string(field.number) +
                       " of the envelope");
  }
  return field.bytes;
}

Result<void> readTypeMeta(std::string_view payload, Envelope& out) {
  auto fields = readFields(payload);
  if (!fields) return std::move(fields).error();
  for (const WireField& f : *fields) {
    if (f.number != 1 && f.number != 2) continue;
    auto text = lengthDelimited(f);
    if (!text) return std::move(text).error();
    (f.number == 1 ? out.apiVersion : out.kind) = validUtf8(*text);
  }
  return {};
}

Result<Envelope> readEnvelope(std::string_view body) {
  if (!body.starts_with(kProtobufMagic)) {
    return decodeError(
        "provided data does not appear to be a protobuf message, expected "
        "prefix [107 56 115 0]");
  }
  auto fields = readFields(body.substr(kProtobufMagic.size()));
  if (!fields) return std::move(fields).error();
  Envelope envelope;
  for (const WireField& f : *fields) {
    if (f.number < 1 || f.number > 3) continue;
    auto bytes = lengthDelimited(f);
    if (!bytes) return std::move(bytes).error();
    if (f.number == 1) {
      auto read = readTypeMeta(*bytes, envelope);
      if (!read) return std::move(read).error();
    } else {
      (f.number == 2 ? envelope.raw : envelope.contentEncoding) = *bytes;
    }
  }
  return envelope;
}

}  // namespace

Result<json::value> MessageDecoder::envelope(std::string_view body, int depth) const {
  auto envelope = readEnvelope(body);
  if (!envelope) return std::move(envelope).error();
  if (!envelope->contentEncoding.empty()) {
    return decodeError("unsupported content encoding \"" + validUtf8(envelope->contentEncoding) +
                       "\"");
  }
  if (envelope->kind.empty()) return decodeError("Object 'Kind' is missing in the envelope");
  const MessageDescriptor* type = table_.kind(envelope->apiVersion, envelope->kind);
  if (type == nullptr) {
    return decodeError("no kind \"" + envelope->kind + "\" is registered for version \"" +
                       envelope->apiVersion + "\" in the protobuf decoder");
  }
  auto fields = message(*type, envelope->raw, depth);
  if (!fields) return std::move(fields).error();
  json::object object;
  object.reserve(fields->size() + 2);
  object.emplace("apiVersion", envelope->apiVersion);
  object.emplace("kind", envelope->kind);
  for (auto& member : *fields) object.insert_or_assign(member.key(), std::move(member.value()));
  return json::value(std::move(object));
}

Result<json::value> decodeKubernetesProtobuf(const DescriptorTable& table, std::string_view body) {
  auto decoded = MessageDecoder(table).envelope(body, 0);
  if (!decoded) return describe(std::move(decoded).error(), "unable to decode protobuf body");
  return decoded;
}

Result<json::value> decodeKubernetesProtobuf(std::string_view body) {
  return decodeKubernetesProtobuf(builtinDescriptors(), body);
}

}  // namespace kcpp::protobuf
