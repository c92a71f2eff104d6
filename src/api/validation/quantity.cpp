#include "api/validation/quantity.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <limits>
#include <utility>

namespace kcpp::api::validation {
namespace {

using Int = __int128;
constexpr Int kLimit = Int(1) << 120;  // beyond this, treat the text as unparsable

struct Suffix {
  std::string_view text;
  int decimalExponent;  // 10^n
  int binaryExponent;   // 1024^n
};

constexpr Suffix kSuffixes[] = {
    {"n", -9, 0}, {"u", -6, 0}, {"m", -3, 0}, {"", 0, 0},   {"k", 3, 0},   {"M", 6, 0},
    {"G", 9, 0},  {"T", 12, 0}, {"P", 15, 0}, {"E", 18, 0}, {"Ki", 0, 1}, {"Mi", 0, 2},
    {"Gi", 0, 3}, {"Ti", 0, 4}, {"Pi", 0, 5}, {"Ei", 0, 6},
};

struct Number {
  bool negative = false;
  Int digits = 0;
  int fraction = 0;  // digits after the point
};

std::optional<Number> parseNumber(std::string_view text, std::size_t& i) {
  Number n;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) n.negative = text[i++] == '-';
  bool any = false, point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    any = true;
    n.digits = n.digits * 10 + (c - '0');
    if (point) ++n.fraction;
    if (n.digits > kLimit) return std::nullopt;
  }
  if (!any) return std::nullopt;
  return n;
}

// "e3", "E-2": a decimal exponent suffix.
std::optional<int> parseExponent(std::string_view s) {
  if (s.size() < 2 || (s[0] != 'e' && s[0] != 'E')) return std::nullopt;
  std::size_t i = 1;
  bool negative = false;
  if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
  if (i >= s.size() || s.size() - i > 5) return std::nullopt;
  int e = 0;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    e = e * 10 + (s[i] - '0');
  }
  return negative ? -e : e;
}

// Exponents up to 9999 are accepted with any mantissa (< kLimit, 36 digits).
constexpr int kMaxScale = 9999 + 36;

// The exponent of m × 10^scale once m's trailing zeros are moved into it.
int normalizedScale(Int m, int scale) {
  if (m == 0) return 0;
  while (m % 10 == 0) {
    m /= 10;
    ++scale;
  }
  return scale;
}

Int pow10(int n) {
  Int r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

// m × 10^n (n >= 0), or nullopt when it does not fit: exponents reach 9999
// ("1e1000"), far beyond what an Int holds.
std::optional<Int> scaleUp(Int m, int n) {
  for (; n > 0 && m != 0; --n) {
    if (__builtin_mul_overflow(m, Int(10), &m)) return std::nullopt;
  }
  return m;
}

std::int64_t saturate(Int v) {
  constexpr Int kMax = std::numeric_limits<std::int64_t>::max();
  constexpr Int kMin = std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(std::clamp(v, kMin, kMax));
}

// Removes factors of `base`; returns how many.
int removeFactors(Int& m, Int base) {
  int times = 0;
  while (m != 0 && m % base == 0) {
    m /= base;
    ++times;
  }
  return times;
}

std::string intText(Int v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  std::string out;
  for (; v != 0; v /= 10) out.insert(out.begin(), char('0' + int(negative ? -(v % 10) : v % 10)));
  return negative ? "-" + out : out;
}

std::string decimalSuffix(int exponent, bool siSuffixes) {
  if (exponent == 0) return "";
  if (siSuffixes) {
    for (const auto& s : kSuffixes) {
      if (s.binaryExponent == 0 && s.decimalExponent == exponent) return std::string(s.text);
    }
  }
  return "e" + std::to_string(exponent);
}

}  // namespace

std::optional<Quantity> Quantity::parse(std::string_view text) {
  std::size_t i = 0;
  auto number = parseNumber(text, i);
  if (!number) return std::nullopt;
  std::string_view suffix = text.substr(i);
  Quantity q;
  q.mantissa_ = number->digits;
  q.scale_ = -number->fraction;
  if (auto e = parseExponent(suffix)) {
    q.scale_ += *e;
    q.format_ = Format::DecimalExponent;
    // Bound the value, not the text: the canonical form of an accepted quantity
    // moves trailing zeros into its exponent, and must parse again.
    if (normalizedScale(q.mantissa_, q.scale_) > kMaxScale) return std::nullopt;
  } else {
    const Suffix* found = nullptr;
    for (const auto& s : kSuffixes) {
      if (s.text == suffix) found = &s;
    }
    if (!found) return std::nullopt;
    q.scale_ += found->decimalExponent;
    for (int k = 0; k < found->binaryExponent; ++k) {
      if (q.mantissa_ > kLimit / 1024) return std::nullopt;  // would pass kLimit (or overflow)
      q.mantissa_ *= 1024;
    }
    if (found->binaryExponent > 0) q.format_ = Format::BinarySI;
    if (q.mantissa_ > kLimit) return std::nullopt;
  }
  // Precision is capped at nano units, rounding away from zero.
  if (q.scale_ < -9) {
    // Past 10^38 every mantissa rounds up to one nano unit.
    auto div = scaleUp(1, -9 - q.scale_);
    q.mantissa_ = !div ? Int(q.mantissa_ != 0) : q.mantissa_ / *div + (q.mantissa_ % *div != 0 ? 1 : 0);
    q.scale_ = -9;
  }
  if (number->negative) q.mantissa_ = -q.mantissa_;
  return q;
}

std::optional<Quantity> Quantity::fromJson(const boost::json::value& v) {
  if (v.is_string()) return parse(v.get_string());
  if (v.is_int64()) return fromInt(v.get_int64());
  if (v.is_uint64()) return fromInt(static_cast<std::int64_t>(v.get_uint64()));
  if (v.is_double()) {
    // As the number was written ("0.5", not Boost's "5E-1"), as upstream parses
    // the JSON number's own text: the format stays DecimalSI.
    char text[400];
    auto written = std::to_chars(text, text + sizeof text, v.get_double(), std::chars_format::fixed);
    if (written.ec != std::errc()) return std::nullopt;
    return parse(std::string_view(text, written.ptr - text));
  }
  return std::nullopt;
}

Quantity Quantity::fromInt(std::int64_t n) {
  Quantity q;
  q.mantissa_ = n;
  return q;
}

bool Quantity::isInteger() const { return scale_ >= 0 || mantissa_ % pow10(-scale_) == 0; }

std::int64_t Quantity::value() const {
  // Beyond int64 (upstream's Value() is then meaningless), the nearest int64.
  if (scale_ >= 0) {
    auto whole = scaleUp(mantissa_, scale_);
    if (!whole) return mantissa_ < 0 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
    return saturate(*whole);
  }
  Int div = pow10(-scale_);
  Int whole = mantissa_ / div;
  if (mantissa_ % div != 0) whole += mantissa_ < 0 ? -1 : 1;
  return saturate(whole);
}

std::int64_t Quantity::milliValue() const {
  Quantity milli = *this;
  milli.scale_ += 3;
  return milli.value();
}

Quantity Quantity::plus(const Quantity& other) const {
  Quantity sum;
  sum.format_ = mantissa_ == 0 ? other.format_ : format_;
  sum.scale_ = std::min(scale_, other.scale_);
  auto a = scaleUp(mantissa_, scale_ - sum.scale_);
  auto b = scaleUp(other.mantissa_, other.scale_ - sum.scale_);
  // Beyond 10^38 the smaller term no longer matters: keep the larger one.
  if (!a || !b || __builtin_add_overflow(*a, *b, &sum.mantissa_)) {
    Quantity larger = !a ? *this : other;
    larger.format_ = sum.format_;
    return larger;
  }
  return sum;
}

std::string Quantity::string() const {
  if (mantissa_ == 0) return "0";
  Format format = format_;
  if (format == Format::BinarySI) {
    bool small = *this > fromInt(-1024) && *this < fromInt(1024);
    if (small || !isInteger()) format = Format::DecimalSI;
  }
  if (format == Format::BinarySI) {
    Int whole = scale_ >= 0 ? mantissa_ * pow10(scale_) : mantissa_ / pow10(-scale_);
    int times = 0;
    while (times < 6 && whole % 1024 == 0) {
      whole /= 1024;
      ++times;
    }
    static constexpr std::string_view kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    return intText(whole) + std::string(kBinary[times]);
  }
  Int m = mantissa_;
  int exponent = scale_ + removeFactors(m, 10);
  int rem = ((exponent % 3) + 3) % 3;  // down to a multiple of 3
  m *= pow10(rem);
  exponent -= rem;
  return intText(m) + decimalSuffix(exponent, format == Format::DecimalSI);
}

std::string Quantity::goString() const {
  static constexpr std::string_view kFormats[] = {"DecimalSI", "BinarySI", "DecimalExponent"};
  return "resource.Quantity{i:resource.int64Amount{value:" + intText(mantissa_) +
         ", scale:" + std::to_string(scale_) +
         "}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"\", Format:\"" +
         std::string(kFormats[static_cast<int>(format_)]) + "\"}";
}

Quantity& Quantity::operator+=(const Quantity& other) {
  if (mantissa_ == 0) format_ = other.format_;
  int common = std::min(scale_, other.scale_);
  auto a = scaleUp(mantissa_, scale_ - common), b = scaleUp(other.mantissa_, other.scale_ - common);
  if (!a || !b) {
    // Magnitudes 10^38 apart: the smaller one is below the sum's precision.
    if (!a) return *this;
    mantissa_ = other.mantissa_;
    scale_ = other.scale_;
    return *this;
  }
  Int sum = 0;
  if (__builtin_add_overflow(*a, *b, &sum)) return *this;  // beyond 10^38 units: keep the bound
  mantissa_ = sum;
  scale_ = common;
  // Keep the mantissa small so later sums stay exact.
  if (mantissa_ == 0) scale_ = 0;
  while (mantissa_ != 0 && mantissa_ % 10 == 0 && scale_ < 0) {
    mantissa_ /= 10;
    ++scale_;
  }
  return *this;
}

Quantity& Quantity::operator-=(const Quantity& other) {
  Format keep = mantissa_ == 0 ? other.format_ : format_;
  Quantity negated = other;
  negated.mantissa_ = -negated.mantissa_;
  *this += negated;
  format_ = keep;
  return *this;
}

Quantity Quantity::roundedUp() const {
  if (isInteger()) return *this;
  Quantity q = fromInt(value());
  q.format_ = format_;
  return q;
}

std::strong_ordering Quantity::operator<=>(const Quantity& other) const {
  int common = std::min(scale_, other.scale_);
  int da = scale_ - common, db = other.scale_ - common;
  auto exactA = scaleUp(mantissa_, da), exactB = scaleUp(other.mantissa_, db);
  if (!exactA || !exactB) {
    long double a = static_cast<long double>(mantissa_), b = static_cast<long double>(other.mantissa_);
    for (int k = 0; k < da; ++k) a *= 10;
    for (int k = 0; k < db; ++k) b *= 10;
    return a < b ? std::strong_ordering::less
                 : a > b ? std::strong_ordering::greater : std::strong_ordering::equal;
  }
  Int a = *exactA, b = *exactB;
  return a < b ? std::strong_ordering::less
               : a > b ? std::strong_ordering::greater : std::strong_ordering::equal;
}

}  // namespace kcpp::api::validation
