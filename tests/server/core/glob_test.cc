// GlobMatch: Redis 7.0's stringmatchlen semantics in bounded time
// (CVE-2022-36021). The time bounds below are hang detectors, far above what
// a bounded matcher needs, not performance assertions.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "server/core/util.h"

namespace grabkv::server {
namespace {

double SecondsFor(const std::string& pattern, const std::string& str, bool* result) {
  const auto t0 = std::chrono::steady_clock::now();
  *result = GlobMatch(pattern, str);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string Repeat(const std::string& unit, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += unit;
  return s;
}

TEST(GlobTest, ExponentialPatternFromTheIssue) {
  bool r = true;
  EXPECT_LT(SecondsFor(Repeat("a*", 20) + "b", std::string(30, 'a'), &r), 5.0);
  EXPECT_FALSE(r);
  EXPECT_LT(SecondsFor(Repeat("a*", 20), std::string(30, 'a'), &r), 5.0);
  EXPECT_TRUE(r);
}

TEST(GlobTest, ThousandStarsAgainst64KB) {
  const std::string key(64 * 1024, 'a');
  bool r = true;
  for (const std::string& p : {Repeat("a*", 1000) + "b", Repeat("*a", 1000) + "b",
                               Repeat("*?", 1000) + "b", Repeat("*[a-z]", 1000) + "b",
                               Repeat("*\\a", 1000) + "b"}) {
    EXPECT_LT(SecondsFor(p, key, &r), 5.0) << p.substr(0, 20);
    EXPECT_FALSE(r);
  }
  // Matching patterns of up to 1000 star groups succeed; Redis's nesting
  // limit makes one that needs more than 1000 levels fail.
  EXPECT_LT(SecondsFor(Repeat("a*", 999) + "a", key, &r), 5.0);
  EXPECT_TRUE(r);
  EXPECT_LT(SecondsFor(Repeat("a*", 1200) + "a", key, &r), 5.0);
  EXPECT_FALSE(r);
}

TEST(GlobTest, RedisSemantics) {
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h*llo", "heeeello"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(GlobMatch("h[b-a]llo", "hbllo"));
  EXPECT_TRUE(GlobMatch("h\\*llo", "h*llo"));
  EXPECT_TRUE(GlobMatch("[a-]", "]"));   // "a-]" is the range a..']'
  EXPECT_TRUE(GlobMatch("h[a", "ha"));   // the end closes a class
  EXPECT_TRUE(GlobMatch("a\\", "a\\"));  // a trailing backslash is literal
  EXPECT_FALSE(GlobMatch("*", ""));      // as Redis: '*' needs a character...
  EXPECT_TRUE(GlobMatch("", ""));        // ...and only the empty pattern matches ""
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_TRUE(GlobMatch("a***", "a"));
  EXPECT_TRUE(GlobMatch("HeLLo", "hello", /*nocase=*/true));
  EXPECT_TRUE(GlobMatch("[A-Z]", "q", /*nocase=*/true));
  EXPECT_FALSE(GlobMatch("[A-Z]", "q"));
}

}  // namespace
}  // namespace grabkv::server
