#pragma once
// Formatting helpers that reproduce how Go prints values inside upstream's error
// messages, so our messages match byte for byte. Internal to the selectors room.

#include <string>
#include <string_view>
#include <vector>

namespace kcpp::selectors {

// Go's strconv.Quote / fmt "%q" of a string: double quotes, backslash escapes for
// quotes, control characters and invalid UTF-8.
std::string goQuote(std::string_view s);

// Go's fmt "%#v" of a []string, e.g. []string{"a", "b"}.
std::string goStringSlice(const std::vector<std::string>& values);

// Go's errors.Aggregate formatting: one message as is, several de-duplicated in
// "[a, b]".
std::string goAggregate(const std::vector<std::string>& messages);

}  // namespace kcpp::selectors
