#pragma once
// resource.Quantity: parsing, comparison and the canonical string upstream prints
// in messages ("0.5" prints as "500m", "1024Mi" as "1Gi").

#include <boost/json.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kcpp::api::validation {

class Quantity {
 public:
  enum class Format { DecimalSI, BinarySI, DecimalExponent };

  // ParseQuantity; nullopt when the text is not a quantity.
  static std::optional<Quantity> parse(std::string_view text);
  // A quantity field: a string, or a JSON number (as clients may send).
  static std::optional<Quantity> fromJson(const boost::json::value& v);
  static Quantity fromInt(std::int64_t n);

  bool negative() const { return mantissa_ < 0; }
  bool isZero() const { return mantissa_ == 0; }
  // value × 1000 is a whole number of thousandths (MilliValue() % 1000 == 0).
  bool isInteger() const;
  // Value(): rounded up to a whole number.
  std::int64_t value() const;
  // MilliValue(): value × 1000 rounded up to a whole number.
  std::int64_t milliValue() const;
  // Add(): the sum, in this quantity's format (the other's when this is zero).
  Quantity plus(const Quantity& other) const;
  std::string string() const;
  // Go's %#v of the parsed resource.Quantity (as upstream prints it in a few
  // messages): resource.Quantity{i:resource.int64Amount{value:5, scale:-1}, ...}.
  std::string goString() const;

  // Quantity.Add / Quantity.Sub: exact sums; a zero quantity takes the other
  // one's format, as upstream's (so 0 + 1Gi prints "1Gi", 1 + 1Gi prints "1073741825").
  Quantity& operator+=(const Quantity& other);
  Quantity& operator-=(const Quantity& other);
  Quantity operator+(const Quantity& other) const { return Quantity(*this) += other; }
  Quantity operator-(const Quantity& other) const { return Quantity(*this) -= other; }
  int sign() const { return mantissa_ < 0 ? -1 : mantissa_ > 0 ? 1 : 0; }
  // RoundUp(0): a whole number (away from zero), in the same format.
  Quantity roundedUp() const;
  Format format() const { return format_; }

  std::strong_ordering operator<=>(const Quantity& other) const;
  bool operator==(const Quantity& other) const { return (*this <=> other) == 0; }

 private:
  __int128 mantissa_ = 0;  // value = mantissa_ × 10^scale_
  int scale_ = 0;
  Format format_ = Format::DecimalSI;
};

}  // namespace kcpp::api::validation
