#pragma once
// Transformer: a byte-level transformation of stored values (upstream's
// value.Transformer), applied by a Registry after an object is serialised for
// storage and before a stored value is decoded. Encryption at rest is one
// (storage/encryption). `context` is the value's key in the store: an
// authenticating transformer binds a value to it, so that a value copied to
// another key does not decode.

#include <memory>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::storage {

class Transformer {
 public:
  virtual ~Transformer() = default;
  // The bytes to store for `plain`.
  virtual Result<std::string> toStorage(std::string_view plain, std::string_view context) const = 0;
  // The plain bytes of a stored value; an error if it cannot be read (tampered
  // with, or written with a key that is not configured).
  virtual Result<std::string> fromStorage(std::string_view stored,
                                          std::string_view context) const = 0;
  // Whether a stored value would be written differently now (plaintext, or an
  // older key): such values are rewritten by a re-encryption pass.
  virtual bool isStale(std::string_view stored) const = 0;
};
using TransformerPtr = std::shared_ptr<const Transformer>;

}  // namespace kcpp::storage
