#include "pki/identity.h"

#include <gtest/gtest.h>

#include "pki/certificate.h"

namespace kcpp::pki {
namespace {

CertifiedKey issue(const std::string& cn, const std::vector<std::string>& orgs) {
  auto ca = createSelfSignedCa("client-ca");
  EXPECT_TRUE(ca.ok());
  auto leaf = issueCertificate({cn, orgs, {}, {ExtKeyUsage::ClientAuth}, kLeafValidity}, *ca);
  EXPECT_TRUE(leaf.ok());
  return std::move(leaf).value();
}

TEST(Identity, UserIsCommonNameGroupsAreEveryOrganization) {
  CertifiedKey leaf = issue("jane", {"system:masters", "developers", "on-call"});
  auto identity = identityFromCertificate(leaf.cert.get());
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->user, "jane");
  EXPECT_EQ(identity->groups, (std::vector<std::string>{"system:masters", "developers", "on-call"}));
}

TEST(Identity, NoOrganizationMeansNoGroups) {
  CertifiedKey leaf = issue("system:kube-scheduler", {});
  auto identity = identityFromCertificate(leaf.cert.get());
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(*identity, (ClientIdentity{"system:kube-scheduler", {}}));
}

TEST(Identity, Utf8NamesSurvive) {
  CertifiedKey leaf = issue("j\xC3\xBCrgen", {"gr\xC3\xBCppe"});
  auto identity = identityFromCertificate(leaf.cert.get());
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->user, "j\xC3\xBCrgen");
  EXPECT_EQ(identity->groups, std::vector<std::string>{"gr\xC3\xBCppe"});
}

TEST(Identity, MissingCommonNameIsUnauthorized) {
  // A certificate whose subject has only an O.
  X509Ptr cert(X509_new());
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string org = "system:masters";
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(org.data()),
                             static_cast<int>(org.size()), -1, 0);
  auto identity = identityFromCertificate(cert.get());
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.error().reason, Reason::Unauthorized);
  EXPECT_EQ(identity.error().code(), 401);
}

}  // namespace
}  // namespace kcpp::pki
