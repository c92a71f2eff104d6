#include "kubelet/volumes/token_manager.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/detached.hpp>

#include <optional>

namespace kcpp::kubelet::volumes {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::system_clock;

template <class T>
T run(asio::awaitable<T> work) {
  asio::io_context io;
  std::optional<T> out;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(work)); },
                 asio::detached);
  io.run();
  return std::move(*out);
}

TEST(TokenManagerTest, RefreshAtEightyPercentOfLifetime) {
  auto issued = system_clock::time_point{} + 1000000s;
  IssuedToken t{"tok", issued + 3600s, 3600};
  EXPECT_FALSE(TokenManager::requiresRefresh(t, issued + 2879s, 0s));
  EXPECT_FALSE(TokenManager::requiresRefresh(t, issued + 2880s, 0s));
  EXPECT_TRUE(TokenManager::requiresRefresh(t, issued + 2881s, 0s));
  // Jitter brings it forward by up to 10 s.
  EXPECT_TRUE(TokenManager::requiresRefresh(t, issued + 2875s, 9s));
}

TEST(TokenManagerTest, RefreshAfterOneDayWhateverTheLifetime) {
  auto issued = system_clock::time_point{} + 1000000s;
  IssuedToken week{"tok", issued + 7 * 24h, 7 * 24 * 3600};
  EXPECT_FALSE(TokenManager::requiresRefresh(week, issued + 24h, 0s));
  EXPECT_TRUE(TokenManager::requiresRefresh(week, issued + 24h + 1s, 0s));
}

TEST(TokenManagerTest, CachesUntilRefreshIsDueAndKeepsValidTokenOnFailure) {
  auto now = system_clock::time_point{} + 1000000s;
  int fetches = 0;
  bool fail = false;
  TokenManager tokens(
      [&](const TokenRequestSpec& spec) -> asio::awaitable<Result<IssuedToken>> {
        if (fail) co_return makeError(Reason::ServiceUnavailable, "down");
        ++fetches;
        co_return IssuedToken{"tok-" + std::to_string(fetches), now + std::chrono::seconds(spec.expirationSeconds),
                              spec.expirationSeconds};
      },
      [&] { return now; }, [] { return 0s; });
  TokenRequestSpec spec{"default", "sa", "api", 3600, "web", "uid-1"};
  EXPECT_EQ(*run(tokens.getToken(spec)), "tok-1");
  now += 2000s;
  EXPECT_EQ(*run(tokens.getToken(spec)), "tok-1");
  now += 1000s;  // 3000 s of 3600: past 80%
  EXPECT_EQ(*run(tokens.getToken(spec)), "tok-2");
  EXPECT_EQ(fetches, 2);
  // Another audience is another token.
  TokenRequestSpec other = spec;
  other.audience = "vault";
  EXPECT_EQ(*run(tokens.getToken(other)), "tok-3");
  // A failed refresh of a still-valid token answers the cached one; an expired one fails.
  now += 3000s;
  fail = true;
  EXPECT_EQ(*run(tokens.getToken(spec)), "tok-2");
  now += 1000s;
  EXPECT_FALSE(run(tokens.getToken(spec)).ok());
  tokens.deleteForPod("uid-1");
  EXPECT_EQ(tokens.size(), 0u);
}

}  // namespace
}  // namespace kcpp::kubelet::volumes
