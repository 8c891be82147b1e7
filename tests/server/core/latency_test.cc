// The latency histogram, the slow log and the latency monitor alone.
#include "server/core/latency.h"

#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace grabkv::server {
namespace {

TEST(LatencyHistogramTest, BucketsHaveTwoSignificantDigits) {
  // Exact below 256 ns, then 128 sub-buckets per power of two.
  for (int64_t v : {1, 2, 200, 255}) {
    EXPECT_EQ(LatencyHistogram::HighestIn(LatencyHistogram::Index(v)), v);
  }
  EXPECT_EQ(LatencyHistogram::HighestIn(LatencyHistogram::Index(256)), 257);
  EXPECT_EQ(LatencyHistogram::HighestIn(LatencyHistogram::Index(1000)), 1003);
  EXPECT_EQ(LatencyHistogram::HighestIn(LatencyHistogram::Index(2000)), 2007);
  EXPECT_EQ(LatencyHistogram::HighestIn(LatencyHistogram::Index(1000000000)), 1002438655);
  // Every value falls in a bucket whose range holds it, buckets in order.
  int last = -1;
  for (int64_t v = 1; v < LatencyHistogram::kMaxNs; v = v * 3 / 2 + 1) {
    int i = LatencyHistogram::Index(v);
    ASSERT_LT(i, LatencyHistogram::kBuckets);
    ASSERT_GE(i, last);
    last = i;
    ASSERT_GE(LatencyHistogram::HighestIn(i), v);
    ASSERT_LT(i == 0 ? 0 : LatencyHistogram::HighestIn(i - 1), v);
  }
}

TEST(LatencyHistogramTest, PercentilesAsRedisReportsThem) {
  LatencyHistogram h;
  for (int i = 0; i < 98; ++i) h.RecordUs(1);
  h.RecordUs(2);
  h.RecordUs(300);
  EXPECT_EQ(h.total(), 100u);
  EXPECT_EQ(h.ValueAtPercentile(50), 1003);
  EXPECT_EQ(h.ValueAtPercentile(99), 2007);
  EXPECT_EQ(h.ValueAtPercentile(99.9), 301055);
  EXPECT_EQ(h.ValueAtPercentile(100), 301055);
  EXPECT_EQ(h.ValueAtPercentile(0), 1000);  // the lowest equivalent value
  LatencyHistogram zero;
  zero.RecordUs(0);  // counts as 1 ns
  EXPECT_EQ(zero.ValueAtPercentile(50), 1);
  EXPECT_EQ(LatencyHistogram().ValueAtPercentile(50), 0);
}

TEST(LatencyHistogramTest, CumulativeLevels) {
  LatencyHistogram h;
  h.RecordUs(0);
  h.RecordUs(1);
  h.RecordUs(3);
  h.RecordUs(33);
  h.RecordUs(34);
  h.RecordUs(5000000);  // beyond 1 s: counted as 1 s
  auto got = h.Cumulative();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], (std::pair<int64_t, uint64_t>{1, 2}));
  EXPECT_EQ(got[1], (std::pair<int64_t, uint64_t>{4, 3}));
  EXPECT_EQ(got[2], (std::pair<int64_t, uint64_t>{33, 4}));
  EXPECT_EQ(got[3], (std::pair<int64_t, uint64_t>{66, 5}));
  EXPECT_EQ(got[4], (std::pair<int64_t, uint64_t>{1082130, 6}));
}

TEST(SlowlogTest, CutsArgumentsAsRedis) {
  Slowlog log;
  std::string big(200, 'x');
  std::vector<std::string_view> args = {"set", "k", big};
  log.Push(args, 5, 100, "1.2.3.4:5", "me", 128);
  ASSERT_EQ(log.entries().size(), 1u);
  const SlowlogEntry& e = log.entries()[0];
  EXPECT_EQ(e.id, 0u);
  EXPECT_EQ(e.args[2], std::string(128, 'x') + "... (72 more bytes)");
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back(std::to_string(i));
  std::vector<std::string_view> views(many.begin(), many.end());
  log.Push(views, 5, 100, "a", "", 128);
  const SlowlogEntry& f = log.entries()[0];
  EXPECT_EQ(f.id, 1u);
  ASSERT_EQ(f.args.size(), 32u);
  EXPECT_EQ(f.args[30], "30");
  EXPECT_EQ(f.args[31], "... (9 more arguments)");
  views.resize(32);
  log.Push(views, 5, 100, "a", "", 128);
  EXPECT_EQ(log.entries()[0].args[31], "31");
}

TEST(SlowlogTest, RedactsMarkedArguments) {
  Slowlog log;
  std::vector<std::string_view> args = {"auth", "user", "secret"};
  log.Push(args, 1, 100, "a", "", 128, (1u << 1) | (1u << 2));
  EXPECT_EQ(log.entries()[0].args,
            (std::vector<std::string>{"auth", "(redacted)", "(redacted)"}));
}

TEST(SlowlogTest, KeepsNewestWithinMaxLen) {
  Slowlog log;
  std::vector<std::string_view> args = {"ping"};
  for (int i = 0; i < 5; ++i) log.Push(args, i, 100, "a", "", 3);
  ASSERT_EQ(log.entries().size(), 3u);
  EXPECT_EQ(log.entries()[0].id, 4u);
  EXPECT_EQ(log.entries()[2].id, 2u);
  log.Reset();
  log.Push(args, 1, 100, "a", "", 3);
  EXPECT_EQ(log.entries()[0].id, 5u);  // ids go on after a reset
}

TEST(LatencyMonitorTest, OneSamplePerSecondTheLargest) {
  LatencyMonitor m;
  m.AddSample("command", 10, 1000);
  m.AddSample("command", 30, 1000);
  m.AddSample("command", 20, 1000);
  m.AddSample("command", 5, 1001);
  const LatencyMonitor::Series* ts = m.Find("command");
  ASSERT_NE(ts, nullptr);
  auto s = ts->Ordered();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].latency_ms, 30u);
  EXPECT_EQ(s[1].latency_ms, 5u);
  EXPECT_EQ(ts->max_ms, 30u);
  for (int i = 0; i < 200; ++i) m.AddSample("command", i, 2000 + i);
  auto full = m.Find("command")->Ordered();
  ASSERT_EQ(full.size(), 160u);
  EXPECT_EQ(full.front().time_s, 2040);
  EXPECT_EQ(full.back().time_s, 2199);
  EXPECT_FALSE(m.Reset("nosuch"));
  EXPECT_TRUE(m.Reset("command"));
  EXPECT_EQ(m.ResetAll(), 0u);
}

TEST(LatencyMonitorTest, GraphAsRedisDrawsIt) {
  LatencyMonitor m;
  m.AddSample("command", 177, 1000);
  m.AddSample("command", 315, 1002);
  std::string g = LatencyGraph("command", *m.Find("command"), 1002);
  EXPECT_EQ(g,
            "command - high 315 ms, low 177 ms (all time high 315 ms)\n" + std::string(80, '-') +
                "\n #\n |\n |\n_|\n  \n20\nss\n");
}

}  // namespace
}  // namespace grabkv::server
