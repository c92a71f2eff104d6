// Field selectors: the fieldSelector= grammar (FieldSelector::parse, printing,
// matching) and value unescaping.
#include "api/selectors/field_selector.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  auto text = fuzz::asText(data, size);
  static const selectors::Fields fields{{"metadata.name", "x"}, {"status.phase", "Running"}};
  if (auto sel = selectors::FieldSelector::parse(text)) {
    (void)sel->matches(fields);
    (void)sel->requiresExactMatch("metadata.name");
    (void)sel->fieldNames();
    auto printed = sel->string();
    if (!selectors::FieldSelector::parse(printed)) {
      std::fprintf(stderr, "printed selector does not parse: %s\n", printed.c_str());
      std::abort();
    }
  }
  if (auto v = selectors::unescapeFieldValue(text)) (void)selectors::escapeFieldValue(*v);
  return 0;
}
