// JsonPatch::apply: the six operations over Boost.JSON values, with the
// semantics (and error wording) of gopkg.in/evanphx/json-patch.v4.
#include <charconv>
#include <cstdint>

#include "api/patch/go_json.h"
#include "api/patch/json_patch.h"

namespace kcpp::patch {
namespace {

using boost::json::value;

Error opError(std::string message) { return makeError(Reason::Invalid, std::move(message)); }

// --- JSON pointer segments and array indexes ---------------------------------

// RFC 6901 decoding in one left-to-right pass: "~1" is '/', "~0" is '~'.
std::string decodeKey(std::string_view k) {
  std::string out;
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (k[i] == '~' && i + 1 < k.size() && (k[i + 1] == '0' || k[i + 1] == '1')) {
      out += k[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += k[i];
    }
  }
  return out;
}

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  while (true) {
    auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return parts;
    path.remove_prefix(slash + 1);
  }
}

// Go's strconv.Atoi.
Result<std::int64_t> atoi(std::string_view s) {
  std::string_view digits = s;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) digits.remove_prefix(1);
  bool syntaxOk = !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
  std::int64_t v = 0;
  if (syntaxOk) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc() && end == digits.data() + digits.size()) return s.front() == '-' ? -v : v;
  }
  std::string why = syntaxOk ? "value out of range" : "invalid syntax";
  return opError("strconv.Atoi: parsing \"" + std::string(s) + "\": " + why);
}

Error invalidIndex(std::int64_t idx) {
  return opError("Unable to access invalid index: " + std::to_string(idx) + ": invalid index referenced");
}

// An index into an array of `size` (size + 1 slots when adding); negative
// indexes count from the end.
Result<std::size_t> arrayIndex(std::string_view key, std::size_t size) {
  auto idx = atoi(key);
  if (!idx) return std::move(idx).error();
  auto n = static_cast<std::int64_t>(size);
  std::int64_t i = *idx;
  if (i >= n) return invalidIndex(i);
  if (i < 0) {
    if (i < -n) return invalidIndex(i);
    i += n;
  }
  return static_cast<std::size_t>(i);
}

// --- containers: an object or an array ---------------------------------------

// The member or element at key; an object's missing member is nullptr, not an error.
Result<value*> getChild(value& container, const std::string& key) {
  if (container.is_object()) return container.get_object().if_contains(key);
  auto& arr = container.get_array();
  auto idx = arrayIndex(key, arr.size());
  if (!idx) return std::move(idx).error();
  return &arr[*idx];
}

Result<void> addChild(value& container, const std::string& key, value v) {
  if (container.is_object()) {
    container.get_object()[key] = std::move(v);
    return {};
  }
  auto& arr = container.get_array();
  if (key == "-") {
    arr.push_back(std::move(v));
    return {};
  }
  if (auto number = atoi(key); !number) {
    return opError("value was not a proper array index: '" + key + "': " + number.error().message);
  }
  auto idx = arrayIndex(key, arr.size() + 1);
  if (!idx) return std::move(idx).error();
  arr.insert(arr.begin() + static_cast<std::ptrdiff_t>(*idx), std::move(v));
  return {};
}

Result<void> removeChild(value& container, const std::string& key) {
  if (container.is_object()) {
    if (container.get_object().erase(key) == 0) {
      return opError("Unable to remove nonexistent key: " + key + ": missing value");
    }
    return {};
  }
  auto& arr = container.get_array();
  auto idx = arrayIndex(key, arr.size());
  if (!idx) return std::move(idx).error();
  arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(*idx));
  return {};
}

struct Location {
  value* container;
  std::string key;
};

// The container holding the last segment of `path`, walking the ones before it.
std::optional<Location> findObject(value& root, std::string_view path) {
  auto parts = splitPath(path);
  if (parts.size() < 2) return std::nullopt;
  value* doc = &root;
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    auto next = getChild(*doc, decodeKey(parts[i]));
    if (!next || *next == nullptr || !((*next)->is_object() || (*next)->is_array())) return std::nullopt;
    doc = *next;
  }
  return Location{doc, decodeKey(parts.back())};
}

// --- operation fields ----------------------------------------------------------

std::string kind(const value& op) {
  const value* k = op.is_object() ? op.get_object().if_contains("op") : nullptr;
  return k && k->is_string() ? std::string(k->get_string()) : "unknown";
}

Result<std::string> stringField(const value& op, std::string_view name, std::string_view missing) {
  const value* f = op.get_object().if_contains(name);
  if (!f || f->is_null()) return opError(std::string(missing) + ": missing value");
  if (!f->is_string()) {
    return opError("json: cannot unmarshal " + std::string(goJsonKind(*f)) + " into Go value of type string");
  }
  return std::string(f->get_string());
}

value valueField(const value& op) {
  const value* v = op.get_object().if_contains("value");
  return v ? *v : value();
}

Error wrap(std::string context, const Error& cause) { return opError(std::move(context) + ": " + cause.message); }

std::string quoted(const std::string& path) { return "\"" + path + "\""; }

// --- the operations ------------------------------------------------------------

Result<void> add(value& doc, const value& op) {
  auto path = stringField(op, "path", "add operation failed to decode path");
  if (!path) return opError("add operation failed to decode path: missing value");
  auto loc = findObject(doc, *path);
  if (!loc) return opError("add operation does not apply: doc is missing path: " + quoted(*path) + ": missing value");
  if (auto r = addChild(*loc->container, loc->key, valueField(op)); !r) {
    return wrap("error in add for path: '" + *path + "'", r.error());
  }
  return {};
}

Result<void> remove(value& doc, const value& op) {
  auto path = stringField(op, "path", "remove operation failed to decode path");
  if (!path) return opError("remove operation failed to decode path: missing value");
  auto loc = findObject(doc, *path);
  if (!loc) return opError("remove operation does not apply: doc is missing path: " + quoted(*path) + ": missing value");
  if (auto r = removeChild(*loc->container, loc->key); !r) {
    return wrap("error in remove for path: '" + *path + "'", r.error());
  }
  return {};
}

Result<void> replace(value& doc, const value& op) {
  auto path = stringField(op, "path", "replace operation failed to decode path");
  if (!path) return std::move(path).error();
  if (path->empty()) {
    value v = valueField(op);
    if (v.is_object() || v.is_array()) doc = std::move(v);
    return {};
  }
  auto loc = findObject(doc, *path);
  if (!loc) return opError("replace operation does not apply: doc is missing path: " + *path + ": missing value");
  auto existing = getChild(*loc->container, loc->key);
  if (!existing) return opError("replace operation does not apply: doc is missing key: " + *path + ": missing value");
  if (*existing) **existing = valueField(op);
  else loc->container->get_object()[loc->key] = valueField(op);
  return {};
}

Result<void> move(value& doc, const value& op) {
  auto from = stringField(op, "from", "operation, missing from field");
  if (!from) return wrap("move operation failed to decode from", from.error());
  auto src = findObject(doc, *from);
  if (!src) return opError("move operation does not apply: doc is missing from path: " + *from + ": missing value");
  auto got = getChild(*src->container, src->key);
  if (!got) return wrap("error in move for path: '" + src->key + "'", got.error());
  value moved = *got ? std::move(**got) : value();
  if (auto r = removeChild(*src->container, src->key); !r) {
    return wrap("error in move for path: '" + src->key + "'", r.error());
  }
  auto path = stringField(op, "path", "operation missing path field");
  if (!path) return wrap("move operation failed to decode path", path.error());
  auto dst = findObject(doc, *path);
  if (!dst) return opError("move operation does not apply: doc is missing destination path: " + *path + ": missing value");
  if (auto r = addChild(*dst->container, dst->key, std::move(moved)); !r) {
    return wrap("error in move for path: '" + *path + "'", r.error());
  }
  return {};
}

Result<void> copy(value& doc, const value& op) {
  auto from = stringField(op, "from", "operation, missing from field");
  if (!from) return wrap("copy operation failed to decode from", from.error());
  auto src = findObject(doc, *from);
  if (!src) return opError("copy operation does not apply: doc is missing from path: " + *from + ": missing value");
  auto got = getChild(*src->container, src->key);
  if (!got) return wrap("error in copy for from: '" + *from + "'", got.error());
  value copied = *got ? **got : value();
  auto path = stringField(op, "path", "operation missing path field");
  if (!path) return opError("copy operation failed to decode path: missing value");
  auto dst = findObject(doc, *path);
  if (!dst) return opError("copy operation does not apply: doc is missing destination path: " + *path + ": missing value");
  if (auto r = addChild(*dst->container, dst->key, std::move(copied)); !r) {
    return wrap("error while adding value during copy", r.error());
  }
  return {};
}

Result<void> test(value& doc, const value& op) {
  auto path = stringField(op, "path", "operation missing path field");
  if (!path) return wrap("test operation failed to decode path", path.error());
  const value expected = valueField(op);
  if (path->empty()) {
    if (doc == expected) return {};
    return opError("testing value " + *path + " failed: test failed");
  }
  auto loc = findObject(doc, *path);
  if (!loc) return opError("test operation does not apply: is missing path: " + *path + ": missing value");
  auto got = getChild(*loc->container, loc->key);
  if (!got) return wrap("error in test for path: '" + *path + "'", got.error());
  const value actual = *got ? **got : value();
  if (actual == expected) return {};
  return opError("testing value " + *path + " failed: test failed");
}

Result<void> applyOne(value& doc, const value& op) {
  std::string k = kind(op);
  if (k == "add") return add(doc, op);
  if (k == "remove") return remove(doc, op);
  if (k == "replace") return replace(doc, op);
  if (k == "move") return move(doc, op);
  if (k == "test") return test(doc, op);
  if (k == "copy") return copy(doc, op);
  return opError("Unexpected kind: " + k);
}

}  // namespace

Result<value> JsonPatch::apply(value doc) const {
  if (!doc.is_object() && !doc.is_array()) return opError("the document to patch is not a JSON object or array");
  for (const auto& op : ops_) {
    if (auto r = applyOne(doc, op); !r) return std::move(r).error();
  }
  return doc;
}

}  // namespace kcpp::patch
