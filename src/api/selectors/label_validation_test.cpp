#include "api/selectors/label_validation.h"

#include <gtest/gtest.h>

namespace kcpp::selectors {
namespace {

using Errors = std::vector<std::string>;

const std::string kNameRegex =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kSubdomainRegex =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

TEST(QualifiedName, Valid) {
  for (std::string_view v : {"simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple",
                             "now-with-dashes/simple", "now-with-dashes/now-with-dashes", "now.with.dots/simple",
                             "now-with.dashes-and.dots/simple", "1-num.2-num/3-num", "1234/5678", "1.2.3.4/5678",
                             "Uppercase_Is_OK_123", "example.com/Uppercase_Is_OK_123", "example.com/a"}) {
    EXPECT_EQ(qualifiedNameErrors(v), Errors{}) << v;
  }
  EXPECT_EQ(qualifiedNameErrors(std::string(63, 'a')), Errors{});
  EXPECT_EQ(qualifiedNameErrors(std::string(253, 'a') + "/" + std::string(63, 'b')), Errors{});
}

TEST(QualifiedName, Invalid) {
  EXPECT_EQ(qualifiedNameErrors(""), (Errors{"name part must be non-empty", "name part " + kNameRegex}));
  EXPECT_EQ(qualifiedNameErrors("a_"), Errors{"name part " + kNameRegex});
  EXPECT_EQ(qualifiedNameErrors("-a"), Errors{"name part " + kNameRegex});
  EXPECT_EQ(qualifiedNameErrors("a b"), Errors{"name part " + kNameRegex});
  EXPECT_EQ(qualifiedNameErrors(std::string(64, 'a')), Errors{"name part must be no more than 63 characters"});
  EXPECT_EQ(qualifiedNameErrors("/a"), Errors{"prefix part must be non-empty"});
  EXPECT_EQ(qualifiedNameErrors("a/"), (Errors{"name part must be non-empty", "name part " + kNameRegex}));
  EXPECT_EQ(qualifiedNameErrors("Example.com/a"), Errors{"prefix part " + kSubdomainRegex});
  EXPECT_EQ(qualifiedNameErrors(std::string(254, 'a') + "/b"),
            Errors{"prefix part must be no more than 253 characters"});
  EXPECT_EQ(qualifiedNameErrors("a/b/c"),
            Errors{"a qualified name " + kNameRegex +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"});
}

TEST(LabelValue, ValidAndInvalid) {
  for (std::string_view v : {"", "simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234",
                             "Uppercase_Is_OK_123", "a.b_c-d"}) {
    EXPECT_EQ(labelValueErrors(v), Errors{}) << v;
  }
  EXPECT_EQ(labelValueErrors(std::string(63, 'a')), Errors{});
  const std::string regex =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
      "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
      "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  EXPECT_EQ(labelValueErrors("nospecialchars%^=@"), Errors{regex});
  EXPECT_EQ(labelValueErrors("-a"), Errors{regex});
  EXPECT_EQ(labelValueErrors("a/b"), Errors{regex});
  EXPECT_EQ(labelValueErrors(std::string(64, 'a')), Errors{"must be no more than 63 characters"});
  EXPECT_EQ(labelValueErrors(std::string(64, '-')), (Errors{"must be no more than 63 characters", regex}));
}

TEST(Dns1123Subdomain, ValidAndInvalid) {
  for (std::string_view v : {"a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "a.a", "1.2.3.4",
                             "a.b-c.d"}) {
    EXPECT_EQ(dns1123SubdomainErrors(v), Errors{}) << v;
  }
  for (std::string_view v : {"", "A", "a.", ".a", "a..b", "-a", "a-", "a_b", "a.-b", "a b"}) {
    EXPECT_EQ(dns1123SubdomainErrors(v), Errors{kSubdomainRegex}) << v;
  }
}

}  // namespace
}  // namespace kcpp::selectors
