#include <gtest/gtest.h>

#include <string>

#include "api/defaults/image_reference.h"
#include "api/defaults/pod_defaults.h"

namespace kcpp::api::defaults {
namespace {

const std::string kHex64(64, 'a');

TEST(ImageReference, TagAsParseImageNameReportsIt) {
  EXPECT_EQ(imageTag("nginx"), "latest");
  EXPECT_EQ(imageTag("nginx:1.25"), "1.25");
  EXPECT_EQ(imageTag("nginx:latest"), "latest");
  EXPECT_EQ(imageTag("registry.k8s.io/pause:3.10"), "3.10");
  EXPECT_EQ(imageTag("library/busybox"), "latest");
  EXPECT_EQ(imageTag("localhost:5000/team/app:v2_rc.1-x"), "v2_rc.1-x");
  EXPECT_EQ(imageTag("localhost/app"), "latest");
  EXPECT_EQ(imageTag("[::1]:5000/app:dev"), "dev");
  // A digest only: no tag at all. A tag and a digest: the tag.
  EXPECT_EQ(imageTag("nginx@sha256:" + kHex64), "");
  EXPECT_EQ(imageTag("nginx:1.25@sha256:" + kHex64), "1.25");
  EXPECT_EQ(imageTag("nginx:latest@sha256:" + kHex64), "latest");
}

TEST(ImageReference, Normalises) {
  EXPECT_EQ(parseImageReference("nginx")->name, "docker.io/library/nginx");
  EXPECT_EQ(parseImageReference("a/b")->name, "docker.io/a/b");
  EXPECT_EQ(parseImageReference("index.docker.io/nginx")->name, "docker.io/library/nginx");
  EXPECT_EQ(parseImageReference("quay.io/a/b:c")->name, "quay.io/a/b");
  auto digested = parseImageReference("nginx@sha512:" + std::string(128, '0'));
  ASSERT_TRUE(digested);
  EXPECT_EQ(digested->digest, "sha512:" + std::string(128, '0'));
}

TEST(ImageReference, InvalidReferencesHaveNoTag) {
  for (std::string bad : {std::string(), std::string("Nginx"), std::string("docker.io/Library/x"),
                          std::string("nginx:"), std::string("nginx:-x"), std::string(":tag"),
                          std::string("nginx@sha256:abc"), std::string("nginx@md5:" + kHex64),
                          std::string("nginx@sha256:" + std::string(64, 'A')), kHex64,
                          std::string("a//b"), std::string("-a"), std::string("foo:bar/baz"),
                          std::string("nginx:" + std::string(129, 't')),
                          std::string(300, 'a'), std::string(5000, 'a')}) {
    EXPECT_FALSE(parseImageReference(bad)) << bad;
    EXPECT_EQ(imageTag(bad), "") << bad;
  }
  // A registry may have upper case; a repository may not.
  EXPECT_TRUE(parseImageReference("Registry.Example.com/app:1"));
  EXPECT_TRUE(parseImageReference("nginx:" + std::string(128, 't')));
}

TEST(ImageReference, PullPolicyFollowsTheTag) {
  EXPECT_EQ(defaultPullPolicy("nginx"), "Always");
  EXPECT_EQ(defaultPullPolicy("nginx:latest"), "Always");
  EXPECT_EQ(defaultPullPolicy("nginx:1.25"), "IfNotPresent");
  EXPECT_EQ(defaultPullPolicy("nginx@sha256:" + kHex64), "IfNotPresent");
  EXPECT_EQ(defaultPullPolicy("nginx:latest@sha256:" + kHex64), "Always");
  EXPECT_EQ(defaultPullPolicy(""), "IfNotPresent");
  EXPECT_EQ(defaultPullPolicy("Nginx"), "IfNotPresent");
}

}  // namespace
}  // namespace kcpp::api::defaults
