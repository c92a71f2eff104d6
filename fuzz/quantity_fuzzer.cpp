// resource.Quantity parsing, and everything done with a parsed one: the
// canonical string, Go's %#v, Value(), comparison; also a JSON number quantity.
#include "api/meta/object.h"
#include "api/validation/quantity.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  using api::validation::Quantity;
  auto text = fuzz::asText(data, size);
  if (auto q = Quantity::parse(text)) {
    (void)q->goString();
    (void)q->value();
    (void)q->isInteger();
    (void)(*q <=> Quantity::fromInt(1));
    auto printed = q->string();
    auto again = Quantity::parse(printed);
    // Mantissas past 2^120 are refused (kLimit in quantity.cpp), and the canonical
    // form may scale one past it (35 digits + ".5" prints as 36 digits + "m"):
    // only shorter forms must parse again.
    if (!again && printed.size() < 30) {
      std::fprintf(stderr, "canonical form does not parse: %s\n", printed.c_str());
      std::abort();
    }
    if (again) (void)(*again == *q);
  }
  if (size < 64) {
    if (auto json = api::parseJson(text)) {
      if (auto q = Quantity::fromJson(*json)) (void)q->string();
    }
  }
  return 0;
}
