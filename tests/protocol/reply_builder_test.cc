// ReplyBuilder tests. Expected bytes were checked against redis-server
// 7.0.15 (DEBUG PROTOCOL <type>, ZSCORE, CLIENT INFO) in RESP2 and RESP3.
#include "protocol/reply_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace grabkv::protocol {
namespace {

class ReplyBuilderTest : public ::testing::TestWithParam<bool> {
 protected:
  ReplyBuilderTest() : rb_(&out_) { rb_.set_resp3(GetParam()); }

  bool resp3() const { return GetParam(); }
  // The bytes written since the last call.
  std::string Take() {
    std::string s;
    s.swap(out_);
    return s;
  }

  std::string out_;
  ReplyBuilder rb_;
};

INSTANTIATE_TEST_SUITE_P(Resp, ReplyBuilderTest, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "Resp3" : "Resp2";
                         });

TEST_P(ReplyBuilderTest, SimpleStringAndOk) {
  rb_.SimpleString("PONG");
  EXPECT_EQ(Take(), "+PONG\r\n");
  rb_.SimpleString("");
  EXPECT_EQ(Take(), "+\r\n");
  rb_.Ok();
  EXPECT_EQ(Take(), "+OK\r\n");
}

TEST_P(ReplyBuilderTest, Error) {
  rb_.Error("ERR syntax error");
  EXPECT_EQ(Take(), "-ERR syntax error\r\n");
  rb_.Error("WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Take(),
            "-WRONGTYPE Operation against a key holding the wrong kind of "
            "value\r\n");
  // No code is invented for the caller.
  rb_.Error("no code");
  EXPECT_EQ(Take(), "-no code\r\n");
  rb_.Error("ERR a\r\nb\nc\r");
  EXPECT_EQ(Take(), "-ERR a  b c \r\n");
}

TEST_P(ReplyBuilderTest, Integer) {
  rb_.Integer(0);
  rb_.Integer(12345);
  rb_.Integer(-1);
  rb_.Integer(std::numeric_limits<int64_t>::max());
  rb_.Integer(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Take(),
            ":0\r\n:12345\r\n:-1\r\n:9223372036854775807\r\n"
            ":-9223372036854775808\r\n");
}

TEST_P(ReplyBuilderTest, Bulk) {
  rb_.Bulk("Hello World");
  EXPECT_EQ(Take(), "$11\r\nHello World\r\n");
  rb_.Bulk("");
  EXPECT_EQ(Take(), "$0\r\n\r\n");
  std::string binary("a\r\n\0b", 5);
  rb_.Bulk(binary);
  EXPECT_EQ(Take(), "$5\r\n" + binary + "\r\n");
  std::string big(100000, 'x');
  rb_.Bulk(big);
  EXPECT_EQ(Take(), "$100000\r\n" + big + "\r\n");
}

TEST_P(ReplyBuilderTest, Nulls) {
  rb_.Null();
  EXPECT_EQ(Take(), resp3() ? "_\r\n" : "$-1\r\n");
  rb_.NullArray();
  EXPECT_EQ(Take(), resp3() ? "_\r\n" : "*-1\r\n");
}

TEST_P(ReplyBuilderTest, AggregateHeaders) {
  rb_.ArrayHeader(3);
  EXPECT_EQ(Take(), "*3\r\n");
  rb_.ArrayHeader(0);
  EXPECT_EQ(Take(), "*0\r\n");
  rb_.MapHeader(3);
  EXPECT_EQ(Take(), resp3() ? "%3\r\n" : "*6\r\n");
  rb_.MapHeader(0);
  EXPECT_EQ(Take(), resp3() ? "%0\r\n" : "*0\r\n");
  rb_.SetHeader(3);
  EXPECT_EQ(Take(), resp3() ? "~3\r\n" : "*3\r\n");
  rb_.PushHeader(2);
  EXPECT_EQ(Take(), resp3() ? ">2\r\n" : "*2\r\n");
}

TEST_P(ReplyBuilderTest, Double) {
  auto expect = [&](double d, const std::string& text) {
    rb_.Double(d);
    if (resp3()) {
      EXPECT_EQ(Take(), "," + text + "\r\n") << d;
    } else {
      std::string bulk = "$";
      bulk.append(std::to_string(text.size())).append("\r\n");
      bulk.append(text).append("\r\n");
      EXPECT_EQ(Take(), bulk) << d;
    }
  };
  expect(1.1, "1.1000000000000001");  // ZSCORE in Redis 7.0
  expect(0.1, "0.10000000000000001");
  expect(3.141, "3.141");
  expect(3, "3");
  expect(0, "0");
  expect(-0.0, "-0");
  expect(-2.5, "-2.5");
  expect(3e300, "3.0000000000000002e+300");
  expect(1e-7, "9.9999999999999995e-08");
  expect(123456789012345678.0, "1.2345678901234568e+17");
  expect(std::numeric_limits<double>::infinity(), "inf");
  expect(-std::numeric_limits<double>::infinity(), "-inf");
  expect(std::nan(""), "nan");
  expect(-std::nan(""), "nan");
}

TEST_P(ReplyBuilderTest, Bool) {
  rb_.Bool(true);
  EXPECT_EQ(Take(), resp3() ? "#t\r\n" : ":1\r\n");
  rb_.Bool(false);
  EXPECT_EQ(Take(), resp3() ? "#f\r\n" : ":0\r\n");
}

TEST_P(ReplyBuilderTest, Verbatim) {
  rb_.Verbatim("This is a verbatim\nstring");
  EXPECT_EQ(Take(), resp3() ? "=29\r\ntxt:This is a verbatim\nstring\r\n"
                            : "$25\r\nThis is a verbatim\nstring\r\n");
  rb_.Verbatim("# Hi", "mkd");
  EXPECT_EQ(Take(), resp3() ? "=8\r\nmkd:# Hi\r\n" : "$4\r\n# Hi\r\n");
  rb_.Verbatim("");
  EXPECT_EQ(Take(), resp3() ? "=4\r\ntxt:\r\n" : "$0\r\n\r\n");
}

TEST_P(ReplyBuilderTest, Raw) {
  rb_.Raw("+QUEUED\r\n");
  EXPECT_EQ(Take(), "+QUEUED\r\n");
}

TEST_P(ReplyBuilderTest, DebugProtocolMapLikeRedis) {
  // DEBUG PROTOCOL map in Redis 7.0.
  rb_.MapHeader(3);
  for (int i = 0; i < 3; ++i) {
    rb_.Integer(i);
    rb_.Bool(i == 1);
  }
  EXPECT_EQ(Take(), resp3() ? "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"
                            : "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n");
}

TEST_P(ReplyBuilderTest, DeferredArray) {
  rb_.SimpleString("before");  // tokens are offsets, not always 0
  size_t t = rb_.DeferArray();
  rb_.Bulk("a");
  rb_.Integer(2);
  rb_.SetDeferredArray(t, 2);
  rb_.Ok();
  EXPECT_EQ(Take(), "+before\r\n*2\r\n$1\r\na\r\n:2\r\n+OK\r\n");
}

TEST_P(ReplyBuilderTest, DeferredEmptyAndLarge) {
  size_t t = rb_.DeferArray();
  rb_.SetDeferredArray(t, 0);
  EXPECT_EQ(Take(), "*0\r\n");
  t = rb_.DeferArray();
  for (int i = 0; i < 1000; ++i) rb_.Integer(7);
  rb_.SetDeferredArray(t, 1000);
  std::string expected = "*1000\r\n";
  for (int i = 0; i < 1000; ++i) expected += ":7\r\n";
  EXPECT_EQ(Take(), expected);
}

TEST_P(ReplyBuilderTest, DeferredMap) {
  size_t t = rb_.DeferMap();
  rb_.Bulk("k1");
  rb_.Integer(1);
  rb_.Bulk("k2");
  rb_.Integer(2);
  rb_.SetDeferredMap(t, 2);
  EXPECT_EQ(Take(), std::string(resp3() ? "%2" : "*4") +
                        "\r\n$2\r\nk1\r\n:1\r\n$2\r\nk2\r\n:2\r\n");
}

TEST_P(ReplyBuilderTest, NestedDeferralsClosedLifo) {
  // [ "a", {"k": 1}, [], [[1]] ] with every length deferred.
  size_t outer = rb_.DeferArray();
  rb_.Bulk("a");
  size_t map = rb_.DeferMap();
  rb_.Bulk("k");
  rb_.Integer(1);
  rb_.SetDeferredMap(map, 1);
  size_t empty = rb_.DeferArray();
  rb_.SetDeferredArray(empty, 0);
  size_t mid = rb_.DeferArray();
  size_t inner = rb_.DeferArray();  // same offset as `mid`
  rb_.Integer(1);
  rb_.SetDeferredArray(inner, 1);
  rb_.SetDeferredArray(mid, 1);
  rb_.SetDeferredArray(outer, 4);
  EXPECT_EQ(Take(), std::string("*4\r\n$1\r\na\r\n") +
                        (resp3() ? "%1" : "*2") +
                        "\r\n$1\r\nk\r\n:1\r\n*0\r\n*1\r\n*1\r\n:1\r\n");
}

TEST_P(ReplyBuilderTest, SetBufferSwitchesTarget) {
  std::string other;
  rb_.set_buffer(&other);
  EXPECT_EQ(rb_.buffer(), &other);
  rb_.Ok();
  EXPECT_EQ(other, "+OK\r\n");
  EXPECT_EQ(out_, "");
}

TEST(ReplyBuilderModeTest, Resp3Flag) {
  std::string out;
  ReplyBuilder rb(&out);
  EXPECT_FALSE(rb.resp3());
  rb.set_resp3(true);
  EXPECT_TRUE(rb.resp3());
}

TEST(AppendIntTest, Values) {
  std::string s = "x";
  AppendInt(&s, 0);
  AppendInt(&s, -7);
  AppendInt(&s, 42);
  EXPECT_EQ(s, "x0-742");
  s.clear();
  AppendInt(&s, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(s, "-9223372036854775808");
  s.clear();
  AppendInt(&s, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(s, "9223372036854775807");
}

TEST(FormatDoubleTest, MatchesPrintfPercent17g) {
  // FormatDouble must be byte-identical to Redis 7.0's snprintf("%.17g").
  auto printf17g = [](double d) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", d);
    return std::string(buf);
  };
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    if (!std::isfinite(d)) continue;
    ASSERT_EQ(FormatDouble(d), printf17g(d)) << bits;
  }
  std::uniform_real_distribution<double> small(-1e6, 1e6);
  for (int i = 0; i < 100000; ++i) {
    double d = small(rng);
    ASSERT_EQ(FormatDouble(d), printf17g(d));
    double r = std::round(d);
    ASSERT_EQ(FormatDouble(r), printf17g(r));
  }
  for (double d : {0.0, -0.0, 1.0, 0.5, 1e16, 1e17, 1e-5, 1e-4, 5e-324,
                   std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::min()})
    EXPECT_EQ(FormatDouble(d), printf17g(d));
}

TEST(FormatDoubleTest, Specials) {
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::quiet_NaN()), "nan");
}

}  // namespace
}  // namespace grabkv::protocol
