// Label selectors: the labelSelector= grammar (LabelSelector::parse, then
// printing and matching), and, for inputs that are JSON, the metav1.LabelSelector
// form (labelSelectorFromJson, validateLabelSelector).
#include "api/meta/object.h"
#include "api/selectors/label_selector.h"
#include "api/selectors/label_selector_json.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp;
  auto text = fuzz::asText(data, size);
  static const selectors::Labels labels{{"app", "web"}, {"tier", "frontend"}, {"n", "5"}};
  if (auto sel = selectors::LabelSelector::parse(text)) {
    (void)sel->matches(labels);
    (void)sel->requiresExactMatch("app");
    (void)selectors::LabelSelector::parse(sel->string());
  }
  if (!text.empty() && (text.front() == '{' || text.front() == 'n')) {
    if (auto json = api::parseJson(text)) {
      if (auto sel = selectors::labelSelectorFromJson(*json)) (void)sel->matches(labels);
      (void)selectors::validateLabelSelector(*json, "spec.selector");
      (void)selectors::validateLabelSelector(*json, "spec.selector", {true, true});
    }
  }
  return 0;
}
