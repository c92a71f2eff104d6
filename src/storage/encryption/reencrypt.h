#pragma once
// The re-encryption pass: rewrites every value under a prefix that its
// Transformer would now write differently (plaintext written before encryption
// was on, or a value encrypted with a key that is no longer the write key).

#include <boost/asio/awaitable.hpp>

#include <string>

#include "storage/store.h"
#include "storage/transformer.h"

namespace kcpp::storage {

// Returns how many values were rewritten. A value changed concurrently is left
// alone (its new write already used the current key).
boost::asio::awaitable<Result<std::size_t>> reencryptPrefix(Store& store, std::string prefix,
                                                            const Transformer& transformer);

}  // namespace kcpp::storage
