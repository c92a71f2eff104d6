// resource.Quantity's canonical String(), for Table cells (capacities, quota).
// A quantity is held here as a count of nano-units (10^-9), wide enough for
// every value up to the exa suffixes; parsing rounds up to nano precision as
// upstream's ParseQuantity does. Outside that range the text is left as given.

#include <cctype>
#include <optional>

#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

namespace {

using Int = __int128;

enum class Format { DecimalSI, BinarySI, DecimalExponent };

struct Suffix {
  Format format;
  int exponent;  // power of 10 (decimal) or of 1024 (binary)
};

std::optional<Suffix> parseSuffix(std::string_view s) {
  static const std::pair<std::string_view, int> kDecimal[] = {
      {"n", -9}, {"u", -6}, {"m", -3}, {"", 0},   {"k", 3},
      {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  static const std::string_view kBinary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  for (const auto& [name, exp] : kDecimal) {
    if (s == name) return Suffix{Format::DecimalSI, exp};
  }
  for (int i = 0; i < 6; ++i) {
    if (s == kBinary[i]) return Suffix{Format::BinarySI, i + 1};
  }
  if (s.size() < 2 || (s[0] != 'e' && s[0] != 'E')) return std::nullopt;
  std::string_view digits = s.substr(1);
  bool negative = digits[0] == '-';
  if (digits[0] == '+' || digits[0] == '-') digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  int exp = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    exp = exp * 10 + (c - '0');
  }
  return Suffix{Format::DecimalExponent, negative ? -exp : exp};
}

Int pow10(int n) {
  Int r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

// magnitude * 10^shift, rounding a dropped remainder up (away from zero).
std::optional<Int> scaleBy10(Int magnitude, int shift) {
  const Int limit = Int(1) << 120;
  if (shift > 27) return std::nullopt;
  if (shift >= 0) {
    Int factor = pow10(shift);
    if (magnitude > limit / factor) return std::nullopt;
    return magnitude * factor;
  }
  if (shift < -36) return magnitude == 0 ? 0 : 1;
  Int div = pow10(-shift);
  return magnitude / div + (magnitude % div != 0 ? 1 : 0);
}

struct Parsed {
  Int nanos;  // signed
  Format format;
};

std::optional<Parsed> parseQuantity(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::size_t i = 0;
  std::string digits;
  int fraction = 0;
  bool dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !dot) {
      dot = true;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      digits += c;
      if (dot) ++fraction;
    } else {
      break;
    }
  }
  auto suffix = parseSuffix(text.substr(i));
  if (digits.empty() || digits.size() > 24 || !suffix) return std::nullopt;
  Int mantissa = 0;
  for (char c : digits) mantissa = mantissa * 10 + (c - '0');
  std::optional<Int> nanos;
  if (suffix->format == Format::BinarySI) {
    if (digits.size() > 19) return std::nullopt;
    Int binary = mantissa << (10 * suffix->exponent);
    nanos = scaleBy10(binary, 9 - fraction);
  } else {
    nanos = scaleBy10(mantissa, 9 - fraction + suffix->exponent);
  }
  if (!nanos) return std::nullopt;
  return Parsed{negative ? -*nanos : *nanos, suffix->format};
}

std::string toString(Int v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  if (negative) v = -v;
  std::string out;
  while (v > 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return negative ? "-" + out : out;
}

std::string decimalSuffix(int exp, Format format) {
  if (format == Format::DecimalExponent) return exp == 0 ? "" : "e" + std::to_string(exp);
  switch (exp) {
    case -9: return "n";
    case -6: return "u";
    case -3: return "m";
    case 3: return "k";
    case 6: return "M";
    case 9: return "G";
    case 12: return "T";
    case 15: return "P";
    case 18: return "E";
    default: return "";
  }
}

// AsCanonicalBytes: the mantissa with trailing zeros moved into an exponent
// that is a multiple of three.
std::string canonicalDecimal(Int nanos, Format format) {
  int exp = -9;
  while (nanos % 10 == 0) {
    nanos /= 10;
    ++exp;
  }
  int extra = ((exp % 3) + 3) % 3;
  nanos *= pow10(extra);
  exp -= extra;
  return toString(nanos) + decimalSuffix(exp, format);
}

std::string canonicalBinary(Int whole) {
  static const char* const kSuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  int exp = 0;
  while (exp < 6 && whole % 1024 == 0) {
    whole /= 1024;
    ++exp;
  }
  return toString(whole) + kSuffixes[exp];
}

}  // namespace

std::string canonicalQuantity(std::string_view text) {
  auto parsed = parseQuantity(text);
  if (!parsed) return std::string(text);
  const Int nano = 1000000000;
  if (parsed->nanos == 0) return "0";
  Format format = parsed->format;
  if (format == Format::BinarySI) {
    Int magnitude = parsed->nanos < 0 ? -parsed->nanos : parsed->nanos;
    // Small or fractional binary values print as decimal, to avoid rounding.
    if (magnitude < 1024 * nano || parsed->nanos % nano != 0) {
      format = Format::DecimalSI;
    } else {
      return canonicalBinary(parsed->nanos / nano);
    }
  }
  return canonicalDecimal(parsed->nanos, format);
}

}  // namespace kcpp::apiserver::table
