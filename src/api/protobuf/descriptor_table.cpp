#include "api/protobuf/descriptor_table.h"

#include <algorithm>
#include <set>

#include "util/error.h"

namespace kcpp::protobuf {

namespace {

// Field numbers above this would make indexByNumber wasteful; none are this large.
constexpr std::uint32_t kMaxFieldNumber = 4096;
constexpr std::string_view kAnyVersion = "*";

std::string kindKey(std::string_view apiVersion, std::string_view kind) {
  std::string key(apiVersion);
  key += ' ';
  key += kind;
  return key;
}

// "core/v1.Pod" -> "core/v1".
std::string_view prefixOf(std::string_view messageName) {
  return messageName.substr(0, messageName.rfind('.'));
}

void check(bool ok, const std::string& message) { KCPP_CHECK(ok, message.c_str()); }

}  // namespace

void DescriptorTable::Group::message(std::string_view name,
                                     std::initializer_list<FieldDescriptor> fields) {
  table_.add(prefix_ + "." + std::string(name), fields);
}

void DescriptorTable::Group::object(std::string_view kind,
                                    std::initializer_list<FieldDescriptor> fields) {
  std::string name = prefix_ + "." + std::string(kind);
  table_.add(name, fields);
  table_.addKind(kindKey(apiVersion_, kind), name);
}

DescriptorTable::Group DescriptorTable::group(std::string_view prefix,
                                              std::string_view apiVersion) {
  return Group(*this, prefix, apiVersion);
}

void DescriptorTable::kindInEveryVersion(std::string_view kind, std::string_view messageName) {
  addKind(kindKey(kAnyVersion, kind), std::string(messageName));
}

void DescriptorTable::add(std::string name, std::initializer_list<FieldDescriptor> fields) {
  check(!linked_, "protobuf descriptor added after link(): " + name);
  MessageDescriptor descriptor;
  descriptor.name = name;
  descriptor.fields.assign(fields.begin(), fields.end());
  bool inserted = messages_.emplace(name, std::move(descriptor)).second;
  check(inserted, "protobuf descriptor defined twice: " + name);
}

void DescriptorTable::addKind(std::string key, std::string messageName) {
  bool inserted = kindNames_.emplace(key, std::move(messageName)).second;
  check(inserted, "protobuf kind registered twice: " + key);
}

void DescriptorTable::linkMessage(MessageDescriptor& message) {
  std::set<std::string_view> names;
  std::uint32_t maxNumber = 0;
  for (FieldDescriptor& field : message.fields) {
    std::string where = message.name + " field " + std::to_string(field.number);
    check(field.number > 0 && field.number <= kMaxFieldNumber, where + ": bad number");
    maxNumber = std::max(maxNumber, field.number);
    FieldType& type = field.type;
    if (type.isInline) {
      check(type.kind == Kind::Message && type.shape == Shape::Single && field.jsonName.empty(),
            where + ": only an unnamed single message can be inlined");
    } else {
      check(!field.jsonName.empty() && names.insert(field.jsonName).second,
            where + ": missing or repeated JSON name");
    }
    if (type.kind != Kind::Message) continue;
    std::string target(type.messageName);
    if (target.find('.') == std::string::npos) {
      target = std::string(prefixOf(message.name)) + "." + target;
    }
    auto it = messages_.find(target);
    check(it != messages_.end(), where + ": unknown message " + target);
    type.message = &it->second;
  }
  message.indexByNumber.assign(maxNumber + 1, -1);
  for (std::size_t i = 0; i < message.fields.size(); ++i) {
    int& slot = message.indexByNumber[message.fields[i].number];
    check(slot == -1,
          message.name + ": field number used twice: " + std::to_string(message.fields[i].number));
    slot = static_cast<int>(i);
  }
}

void DescriptorTable::link() {
  check(!linked_, "protobuf descriptor table linked twice");
  for (auto& [name, message] : messages_) linkMessage(message);
  for (const auto& [key, name] : kindNames_) {
    auto it = messages_.find(name);
    check(it != messages_.end(), "kind " + key + " names an unknown message " + name);
    kinds_.emplace(key, &it->second);
  }
  linked_ = true;
}

const MessageDescriptor* DescriptorTable::message(std::string_view name) const {
  auto it = messages_.find(name);
  return it == messages_.end() ? nullptr : &it->second;
}

const MessageDescriptor* DescriptorTable::kind(std::string_view apiVersion,
                                               std::string_view kind) const {
  auto it = kinds_.find(kindKey(apiVersion, kind));
  if (it == kinds_.end()) it = kinds_.find(kindKey(kAnyVersion, kind));
  return it == kinds_.end() ? nullptr : it->second;
}

std::vector<const MessageDescriptor*> DescriptorTable::messages() const {
  std::vector<const MessageDescriptor*> out;
  out.reserve(messages_.size());
  for (const auto& [name, message] : messages_) out.push_back(&message);
  return out;
}

}  // namespace kcpp::protobuf
