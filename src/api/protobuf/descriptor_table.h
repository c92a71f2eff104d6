#pragma once
// All message descriptors known to the decoder, and the kinds an envelope names.
//
// Built once by adding groups (see descriptors_<group>.cpp), then link()ed: linking
// resolves every message reference and checks the table's invariants (unique field
// numbers and JSON names, known message names), crashing on a broken table, which
// is a programming error, not an input error.

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/protobuf/descriptor.h"

namespace kcpp::protobuf {

class DescriptorTable {
 public:
  // The messages of one API group version, named "<prefix>.<Name>" (prefix like
  // "apps/v1"); objects are also registered as kinds of apiVersion.
  class Group {
   public:
    void message(std::string_view name, std::initializer_list<FieldDescriptor> fields);
    // A top-level object: a message that an envelope names by (apiVersion, kind).
    void object(std::string_view kind, std::initializer_list<FieldDescriptor> fields);

   private:
    friend class DescriptorTable;
    Group(DescriptorTable& table, std::string_view prefix, std::string_view apiVersion)
        : table_(table), prefix_(prefix), apiVersion_(apiVersion) {}
    DescriptorTable& table_;
    std::string prefix_;
    std::string apiVersion_;
  };

  DescriptorTable() = default;
  DescriptorTable(const DescriptorTable&) = delete;
  DescriptorTable& operator=(const DescriptorTable&) = delete;
  DescriptorTable(DescriptorTable&&) = default;
  DescriptorTable& operator=(DescriptorTable&&) = default;

  Group group(std::string_view prefix, std::string_view apiVersion);
  // A kind that every API version serves (the meta/v1 option kinds, such as
  // DeleteOptions): found by kind alone when (apiVersion, kind) is not registered.
  void kindInEveryVersion(std::string_view kind, std::string_view messageName);
  // Resolves message references; crashes on an inconsistent table.
  void link();

  const MessageDescriptor* message(std::string_view name) const;
  const MessageDescriptor* kind(std::string_view apiVersion, std::string_view kind) const;
  std::vector<const MessageDescriptor*> messages() const;

 private:
  void add(std::string name, std::initializer_list<FieldDescriptor> fields);
  void addKind(std::string key, std::string messageName);
  void linkMessage(MessageDescriptor& message);

  // Node-based maps: descriptors keep their addresses, so links stay valid.
  std::map<std::string, MessageDescriptor, std::less<>> messages_;
  std::map<std::string, std::string, std::less<>> kindNames_;  // "apiVersion kind" -> message
  std::map<std::string, const MessageDescriptor*, std::less<>> kinds_;
  bool linked_ = false;
};

// The built-in Kubernetes API types, built and linked on first use; immutable.
const DescriptorTable& builtinDescriptors();

}  // namespace kcpp::protobuf
