// Real request bodies captured from kubectl 1.33 (identical for 1.32), each
// decoded and compared with the JSON that kubectl itself prints for the same
// object (`--dry-run=client -o json`), which is Go's JSON encoding of it.
// testdata/README.md says how the fixtures were captured.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/protobuf/kubernetes_protobuf.h"

namespace kcpp::protobuf {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> fixtures() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(KCPP_PROTOBUF_TESTDATA)) {
    if (entry.path().extension() == ".pb") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(KubectlFixtures, EveryCapturedBodyDecodesToKubectlsJson) {
  auto all = fixtures();
  ASSERT_GE(all.size(), 20u);
  for (const fs::path& body : all) {
    SCOPED_TRACE(body.filename().string());
    fs::path expectedPath = body;
    expectedPath.replace_extension(".json");
    ASSERT_TRUE(fs::exists(expectedPath));
    json::value expected = json::parse(readFile(expectedPath));
    auto decoded = decodeKubernetesProtobuf(readFile(body));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, expected) << "decoded:  " << json::serialize(*decoded)
                                  << "\nexpected: " << json::serialize(expected);
  }
}

TEST(KubectlFixtures, TruncatedBodiesAreBadRequests) {
  for (const fs::path& body : fixtures()) {
    std::string data = readFile(body);
    for (std::size_t cut : {std::size_t{3}, data.size() / 2, data.size() - 1}) {
      auto decoded = decodeKubernetesProtobuf(std::string_view(data).substr(0, cut));
      if (decoded.ok()) continue;  // a cut between fields is a valid, shorter message
      EXPECT_EQ(decoded.error().reason, Reason::BadRequest) << body.filename();
      EXPECT_EQ(decoded.error().message.rfind("unable to decode protobuf body: ", 0), 0u)
          << decoded.error().message;
    }
  }
}

}  // namespace
}  // namespace kcpp::protobuf
