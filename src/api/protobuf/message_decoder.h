#pragma once
// Turns protobuf messages into JSON as Go's encoding/json would write the Go
// struct that Kubernetes' generated code decodes from them, guided by the
// descriptor table.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <span>
#include <string_view>

#include "api/protobuf/descriptor_table.h"
#include "api/protobuf/wire_reader.h"
#include "util/error.h"

namespace kcpp::protobuf {

class MessageDecoder {
 public:
  explicit MessageDecoder(const DescriptorTable& table) : table_(table) {}

  // A Kubernetes protobuf envelope: "k8s\0" then runtime.Unknown. The object's
  // apiVersion and kind come from the envelope's TypeMeta. Errors are BadRequest;
  // the path of the failing field travels in causes[0].field until the caller
  // words the final message.
  Result<boost::json::value> envelope(std::string_view body, int depth) const;

  // One message of a known type.
  Result<boost::json::object> message(const MessageDescriptor& type, std::string_view bytes,
                                      int depth) const;

 private:
  using Occurrences = std::span<const WireField* const>;

  Result<void> addField(boost::json::object& out, const FieldDescriptor& field,
                        Occurrences occurrences, int depth) const;
  Result<void> addSingle(boost::json::object& out, const FieldDescriptor& field,
                         Occurrences occurrences, int depth) const;
  Result<void> addAbsent(boost::json::object& out, const FieldDescriptor& field, int depth) const;
  Result<void> addList(boost::json::object& out, const FieldDescriptor& field,
                       Occurrences occurrences, int depth) const;
  Result<void> addMap(boost::json::object& out, const FieldDescriptor& field,
                      Occurrences occurrences, int depth) const;

  // One wire value of the field's kind (an element, for lists and maps).
  Result<boost::json::value> value(const FieldType& type, const WireField& wire, int depth) const;
  // A message-like value from all occurrences of its field, merged.
  Result<boost::json::value> merged(const FieldType& type, Occurrences occurrences,
                                    int depth) const;
  // The value of a message-like kind from its payload ("" gives the zero value).
  Result<boost::json::value> embedded(const FieldType& type, std::string_view payload,
                                      int depth) const;
  // The JSON of a field that is absent but written anyway (no omitempty, or a struct).
  Result<boost::json::value> zero(const FieldType& type, int depth) const;
  Result<boost::json::value> rawJson(std::string_view payload, int depth) const;

  const DescriptorTable& table_;
};

}  // namespace kcpp::protobuf
