// The RDB building blocks (storage/crc64, lzf, rdb_format, packed_formats,
// rdb_value): known check values, payloads captured from redis-server 7.0.15
// (DUMP), round trips of every encoding, and corrupted inputs, which must be
// refused without reading out of bounds.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "storage/crc64.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/lzf.h"
#include "storage/packed_formats.h"
#include "storage/rdb_format.h"
#include "storage/rdb_value.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace grabkv::storage {
namespace {

std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(Crc64Test, CheckValue) {
  EXPECT_EQ(Crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(Crc64(0, "", 0), 0u);
  // Incremental == whole, for every split point and lengths around the
  // 8-byte fast path.
  std::string s = "The quick brown fox jumps over the lazy dog, twice over.";
  uint64_t whole = Crc64(0, s.data(), s.size());
  for (size_t i = 0; i <= s.size(); ++i) {
    EXPECT_EQ(Crc64(Crc64(0, s.data(), i), s.data() + i, s.size() - i), whole);
  }
}

TEST(LzfTest, RoundTripsAndCompresses) {
  std::mt19937_64 rng(7);
  for (size_t n : {21u, 50u, 100u, 1000u, 9000u, 70000u}) {
    for (int kind = 0; kind < 3; ++kind) {
      std::string in(n, 'a');
      for (size_t i = 0; i < n; ++i) {
        if (kind == 1) in[i] = static_cast<char>('a' + i % 7);
        if (kind == 2) in[i] = static_cast<char>(rng());
      }
      std::string out(n + n / 16 + 64, '\0');
      size_t c = LzfCompress(in.data(), n, out.data(), out.size());
      ASSERT_GT(c, 0u);
      if (kind < 2 && n >= 100) {
        EXPECT_LT(c, n / 4) << n;
      }
      std::string back(n, '\0');
      ASSERT_TRUE(LzfDecompress(out.data(), c, back.data(), n));
      EXPECT_EQ(back, in);
      // Too little room: 0, never an overrun.
      EXPECT_EQ(LzfCompress(in.data(), n, out.data(), kind == 2 ? n - 4 : 2), 0u);
    }
  }
}

TEST(LzfTest, RefusesMalformedStreams) {
  char out[16];
  EXPECT_FALSE(LzfDecompress("\x20\x00", 2, out, 4));        // reference before start
  EXPECT_FALSE(LzfDecompress("\x05" "abc", 4, out, 6));       // literal past input
  EXPECT_FALSE(LzfDecompress("\x01" "ab", 3, out, 1));        // literal past output
  EXPECT_FALSE(LzfDecompress("\x00" "a", 2, out, 2));         // short result
  EXPECT_FALSE(LzfDecompress("\x00" "a\xe0", 3, out, 16));    // truncated reference
  EXPECT_TRUE(LzfDecompress("\x00" "a\x20\x00", 4, out, 4));  // "a" + 3 copies
  EXPECT_EQ(std::string(out, 4), "aaaa");
}

TEST(RdbFormatTest, LengthEncodings) {
  for (uint64_t v : {0ull, 63ull, 64ull, 16383ull, 16384ull, 4294967295ull, 4294967296ull}) {
    RdbWriter w;
    w.Len(v);
    size_t expect = v < 64 ? 1 : v < 16384 ? 2 : v <= 0xffffffffu ? 5 : 9;
    EXPECT_EQ(w.buffer().size(), expect) << v;
    RdbReader r(w.buffer());
    uint64_t got;
    ASSERT_TRUE(r.Len(&got));
    EXPECT_EQ(got, v);
    EXPECT_EQ(r.remaining(), 0u);
  }
  RdbReader bad("\x82");
  uint64_t x;
  EXPECT_FALSE(bad.Len(&x));
  EXPECT_EQ(bad.error(), "Unknown length encoding at offset 0");
}

TEST(RdbFormatTest, StringEncodings) {
  struct Case {
    std::string s;
    std::string encoded;
  };
  std::vector<Case> cases = {
      {"hello", "\x05hello"},
      {"12", std::string("\xc0\x0c", 2)},
      {"-129", std::string("\xc1\x7f\xff", 3)},
      {"12345", std::string("\xc1\x39\x30", 3)},
      {"2147483647", std::string("\xc2\xff\xff\xff\x7f", 5)},
      {"2147483648", "\x0a" "2147483648"},
      {"012", "\x03" "012"},
      {"", std::string("\x00", 1)},
  };
  for (const auto& c : cases) {
    RdbWriter w;
    w.String(c.s);
    EXPECT_EQ(w.buffer(), c.encoded) << c.s;
    RdbReader r(w.buffer());
    std::string back;
    ASSERT_TRUE(r.String(&back));
    EXPECT_EQ(back, c.s);
  }
  // Compression only above 20 bytes and only when on.
  std::string big(100, 'x');
  RdbWriter on(true), off(false);
  on.String(big);
  off.String(big);
  EXPECT_EQ(static_cast<uint8_t>(on.buffer()[0]), 0xC3);
  EXPECT_EQ(off.buffer().size(), 102u);  // 2-byte length + bytes
  RdbReader r(on.buffer());
  std::string back;
  ASSERT_TRUE(r.String(&back));
  EXPECT_EQ(back, big);
  // Redis's own LZF string (DUMP of 100 'x') reads back.
  const std::string redis_lzf = Unhex("c3094064017878e057000178780a00").substr(0, 13);
  RdbReader redis(redis_lzf);
  ASSERT_TRUE(redis.String(&back));
  EXPECT_EQ(back, big);
  // A lying decompressed length is refused, not allocated.
  const std::string lying("\xc3\x02\x81\x00\x00\x00\x10\x00\x00\x00\x00\x00\x61\x61", 14);
  RdbReader liar(lying);
  EXPECT_FALSE(liar.String(&back));
}

TEST(RdbFormatTest, ScoresFormatAsRedis) {
  char buf[32];
  EXPECT_EQ(FormatScore(1, buf), "1");
  EXPECT_EQ(FormatScore(-3, buf), "-3");
  EXPECT_EQ(FormatScore(2.5, buf), "2.5");
  EXPECT_EQ(FormatScore(INFINITY, buf), "inf");
  EXPECT_EQ(FormatScore(0.1, buf), "0.10000000000000001");
  double d;
  EXPECT_TRUE(ParseScore("-inf", &d));
  EXPECT_TRUE(std::isinf(d) && d < 0);
  EXPECT_FALSE(ParseScore("nan", &d));
  EXPECT_FALSE(ParseScore("1x", &d));
  EXPECT_FALSE(ParseScore("", &d));
}

std::vector<std::string> ReadAll(std::string_view blob, bool listpack) {
  std::vector<std::string> out;
  std::string scratch, why;
  size_t n;
  auto fn = [&](const PackedEntry& e) { out.emplace_back(e.View(&scratch)); };
  bool ok = listpack ? ListpackRead(blob, &n, fn, &why) : ZiplistRead(blob, &n, fn, &why);
  EXPECT_TRUE(ok) << why;
  EXPECT_EQ(n, out.size());
  return out;
}

std::vector<std::string> EveryEncoding() {
  return {"0",     "127",   "128",  "-1",    "4095",  "-4096", "4096",  "32767", "-32768",
          "32768", "8388607", "-8388608", "8388608", "2147483647", "-2147483648",
          "2147483648", "9223372036854775807", "-9223372036854775808", "12", "13", "-129",
          "", "a", std::string(63, 'b'), std::string(64, 'c'), std::string(4095, 'd'),
          std::string(4096, 'e'), std::string(20000, 'f'), "01", "1.5"};
}

TEST(PackedFormatsTest, ListpackRoundTripsEveryEncoding) {
  ListpackWriter w;
  auto items = EveryEncoding();
  for (const auto& s : items) w.Append(s);
  EXPECT_EQ(ReadAll(w.Finish(), true), items);
  // Redis's listpack of the hash {f1: v1, f2: 2} (DUMP of HSET h f1 v1 f2 2).
  std::string lp = Unhex("1500000004008266310382763103826632030201ff");
  EXPECT_EQ(ReadAll(lp, true), (std::vector<std::string>{"f1", "v1", "f2", "2"}));
}

TEST(PackedFormatsTest, ZiplistRoundTripsEveryEncoding) {
  ZiplistWriter w;
  auto items = EveryEncoding();
  for (const auto& s : items) w.Append(s);
  EXPECT_EQ(ReadAll(w.Finish(), false), items);
  ZiplistWriter empty;
  EXPECT_TRUE(ReadAll(empty.Finish(), false).empty());
}

TEST(PackedFormatsTest, IntsetAndZipmap) {
  std::vector<int64_t> v = {-5, 1, 2, 70000}, back;
  std::string is = IntsetEncode(v);
  EXPECT_EQ(is.size(), 8u + 4 * 4);
  std::string why;
  ASSERT_TRUE(IntsetRead(is, &back, &why));
  EXPECT_EQ(back, v);
  // Redis's intset of {1, 2, 3, 70000}.
  ASSERT_TRUE(IntsetRead(Unhex("040000000400000001000000020000000300000070110100"), &back, &why));
  EXPECT_EQ(back, (std::vector<int64_t>{1, 2, 3, 70000}));
  std::string unsorted = IntsetEncode({1, 2});
  unsorted[8] = 5;
  EXPECT_FALSE(IntsetRead(unsorted, &back, &why));
  EXPECT_FALSE(IntsetRead(is.substr(0, is.size() - 1), &back, &why));

  // zipmap {"a": "xy", "key": ""} with one free byte after "xy".
  std::string zm = std::string("\x02\x01" "a\x02\x01xy?\x03key\x00\x00\xff", 15);
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t n;
  ASSERT_TRUE(ZipmapRead(zm, &n, [&](std::string_view f, std::string_view val) {
    pairs.emplace_back(f, val);
  }, &why)) << why;
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0], (std::pair<std::string, std::string>{"a", "xy"}));
  EXPECT_EQ(pairs[1], (std::pair<std::string, std::string>{"key", ""}));
}

// Every single-byte corruption and every truncation of a blob is either
// refused or read within bounds (the sanitizer build checks the latter).
TEST(PackedFormatsTest, CorruptionsNeverReadOutOfBounds) {
  ListpackWriter lw;
  ZiplistWriter zw;
  for (const auto& s : EveryEncoding()) {
    if (s.size() > 100) continue;
    lw.Append(s);
    zw.Append(s);
  }
  std::string blobs[2] = {lw.Finish(), zw.Finish()};
  for (int k = 0; k < 2; ++k) {
    const std::string& good = blobs[k];
    size_t n;
    std::string why;
    auto noop = [](const PackedEntry&) {};
    for (size_t i = 0; i < good.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = good;
        bad[i] ^= static_cast<char>(1 << bit);
        if (k == 0) ListpackRead(bad, &n, noop, &why);
        else ZiplistRead(bad, &n, noop, &why);
      }
      std::string cut = good.substr(0, i);
      EXPECT_FALSE(k == 0 ? ListpackRead(cut, &n, noop, &why) : ZiplistRead(cut, &n, noop, &why));
    }
  }
}

// --- whole values ---

Value RoundTrip(const Value& v, uint8_t* type) {
  RdbWriter w;
  *type = RdbTypeOf(v);
  RdbWriteValue(w, v);
  RdbReader r(w.buffer());
  Value out;
  EXPECT_EQ(RdbReadValue(r, *type, RdbLimits{}, &out), RdbValueStatus::kOk) << r.error();
  EXPECT_EQ(r.remaining(), 0u);
  return out;
}

TEST(RdbValueTest, EveryTypeAndEncodingRoundTrips) {
  uint8_t type;
  Value s;
  s.SetString("hello");
  std::string scratch;
  EXPECT_EQ(RoundTrip(s, &type).GetString(&scratch), "hello");
  Value i;
  i.SetInt(-9223372036854775807LL - 1);
  Value ib = RoundTrip(i, &type);
  EXPECT_TRUE(ib.is_int());
  EXPECT_EQ(ib.int_value(), i.int_value());

  auto list = std::make_unique<List>();
  for (int k = 0; k < 5000; ++k) list->PushBack(k % 3 ? std::to_string(k) : std::string(k % 50, 'z'));
  Value lv;
  lv.SetContainer(std::move(list));
  Value lb = RoundTrip(lv, &type);
  EXPECT_EQ(type, rdb::kListQuicklist2);
  ASSERT_EQ(lb.As<List>()->size(), 5000u);
  EXPECT_EQ(lb.As<List>()->At(4999), lv.As<List>()->At(4999));

  for (int big = 0; big < 2; ++big) {
    auto h = std::make_unique<Hash>();
    auto st = std::make_unique<Set>();
    auto z = std::make_unique<ZSet>();
    int n = big ? 1000 : 10;
    for (int k = 0; k < n; ++k) {
      h->Set("f" + std::to_string(k), std::to_string(k * 7), HashLimits{});
      st->Add(std::to_string(k * 1000003), SetLimits{});
      double ns;
      z->Add("m" + std::to_string(k), k * 0.5 - 3, 0, ZSetLimits{}, &ns);
    }
    Value hv, sv, zv;
    hv.SetContainer(std::move(h));
    sv.SetContainer(std::move(st));
    zv.SetContainer(std::move(z));
    Value hb = RoundTrip(hv, &type);
    EXPECT_EQ(type, big ? rdb::kHash : rdb::kHashListpack);
    EXPECT_STREQ(hb.EncodingName(), hv.EncodingName());
    EXPECT_EQ(hb.As<Hash>()->Get("f7"), std::optional<std::string_view>("49"));
    Value sb = RoundTrip(sv, &type);
    EXPECT_EQ(type, big ? rdb::kSet : rdb::kSetIntset);
    EXPECT_STREQ(sb.EncodingName(), sv.EncodingName());
    EXPECT_TRUE(sb.As<Set>()->Contains("7000021"));
    Value zb = RoundTrip(zv, &type);
    EXPECT_EQ(type, big ? rdb::kZSet2 : rdb::kZSetListpack);
    EXPECT_STREQ(zb.EncodingName(), zv.EncodingName());
    double score;
    ASSERT_TRUE(zb.As<ZSet>()->Score("m9", &score));
    EXPECT_EQ(score, 1.5);
  }
}

// Bodies of payloads that redis-server 7.0.15 DUMPed (type byte first).
TEST(RdbValueTest, ReadsRedisPayloads) {
  auto load = [](std::string_view hex, Value* out) {
    std::string p = Unhex(hex);
    // DUMP footer: 2-byte version + 8-byte CRC-64 of everything before it.
    uint64_t crc = 0;
    for (int k = 7; k >= 0; --k) crc = (crc << 8) | static_cast<uint8_t>(p[p.size() - 8 + k]);
    EXPECT_EQ(Crc64(0, p.data(), p.size() - 8), crc);
    RdbReader r(std::string_view(p).substr(1, p.size() - 11));
    EXPECT_EQ(RdbReadValue(r, static_cast<uint8_t>(p[0]), RdbLimits{}, out), RdbValueStatus::kOk)
        << r.error();
  };
  Value v;
  load("120102c328406d116d00000006008161020101f178ec03e04b62e041000b4df270110104f400e40b540220660109"
       "ff0a00537628c1bacecec6", &v);
  ASSERT_EQ(v.type(), ValueType::kList);
  const List& l = *v.As<List>();
  ASSERT_EQ(l.size(), 6u);
  EXPECT_EQ(l.At(2), "-5000");
  EXPECT_EQ(l.At(3), std::string(75, 'b'));
  EXPECT_EQ(l.At(5), "10000000000");
  load("111a1a0000000600816302dffd02816102010181620283322e3504ff0a00a68a1ab1a9f2dcc2", &v);
  double score;
  ASSERT_TRUE(v.As<ZSet>()->Score("b", &score));
  EXPECT_EQ(score, 2.5);
  ASSERT_TRUE(v.As<ZSet>()->Score("c", &score));
  EXPECT_EQ(score, -3);
  load("0b180400000004000000010000000200000003000000701101000a00ef2e6521e385a22a", &v);
  EXPECT_TRUE(v.As<Set>()->is_intset());
  EXPECT_TRUE(v.As<Set>()->Contains("70000"));
}

TEST(RdbValueTest, OlderEncodingsLoad) {
  // LIST_ZIPLIST, QUICKLIST (1), HASH_ZIPLIST, ZSET_ZIPLIST, ZSET (string
  // scores) and HASH_ZIPMAP, built by hand.
  RdbWriter w;
  ZiplistWriter zl;
  for (const char* s : {"x", "10", "y"}) zl.Append(s);
  std::string zlb = zl.Finish();
  w.String(zlb);
  Value v;
  RdbReader r1(w.buffer());
  ASSERT_EQ(RdbReadValue(r1, rdb::kListZiplist, RdbLimits{}, &v), RdbValueStatus::kOk);
  EXPECT_EQ(v.As<List>()->At(1), "10");

  RdbWriter q;
  q.Len(2);
  q.String(zlb);
  q.String(zlb);
  RdbReader r2(q.buffer());
  ASSERT_EQ(RdbReadValue(r2, rdb::kListQuicklist, RdbLimits{}, &v), RdbValueStatus::kOk);
  EXPECT_EQ(v.As<List>()->size(), 6u);

  ZiplistWriter hz;
  for (const char* s : {"f", "1", "g", "2"}) hz.Append(s);
  RdbWriter h;
  h.String(hz.Finish());
  RdbReader r3(h.buffer());
  ASSERT_EQ(RdbReadValue(r3, rdb::kHashZiplist, RdbLimits{}, &v), RdbValueStatus::kOk);
  EXPECT_EQ(v.As<Hash>()->Get("g"), std::optional<std::string_view>("2"));

  ZiplistWriter zz;
  for (const char* s : {"a", "1.5", "b", "3"}) zz.Append(s);
  RdbWriter z;
  z.String(zz.Finish());
  RdbReader r4(z.buffer());
  ASSERT_EQ(RdbReadValue(r4, rdb::kZSetZiplist, RdbLimits{}, &v), RdbValueStatus::kOk);
  double score;
  ASSERT_TRUE(v.As<ZSet>()->Score("a", &score));
  EXPECT_EQ(score, 1.5);

  RdbWriter zs;
  zs.Len(2);
  zs.String("a");
  zs.Raw(std::string("\x03" "2.5", 4));
  zs.String("b");
  zs.Byte(255);  // -inf
  RdbReader r5(zs.buffer());
  ASSERT_EQ(RdbReadValue(r5, rdb::kZSet, RdbLimits{}, &v), RdbValueStatus::kOk);
  ASSERT_TRUE(v.As<ZSet>()->Score("b", &score));
  EXPECT_TRUE(std::isinf(score) && score < 0);

  RdbWriter zm;
  zm.String(std::string("\x01\x01" "a\x01\x00" "b\xff", 7));
  RdbReader r6(zm.buffer());
  ASSERT_EQ(RdbReadValue(r6, rdb::kHashZipmap, RdbLimits{}, &v), RdbValueStatus::kOk) << r6.error();
  EXPECT_EQ(v.As<Hash>()->Get("a"), std::optional<std::string_view>("b"));
}

TEST(RdbValueTest, RefusesDuplicatesNanAndEmpty) {
  Value v;
  RdbWriter h;
  h.Len(2);
  for (const char* s : {"f", "1", "f", "2"}) h.String(s);
  RdbReader r1(h.buffer());
  EXPECT_EQ(RdbReadValue(r1, rdb::kHash, RdbLimits{}, &v), RdbValueStatus::kCorrupt);
  EXPECT_EQ(r1.error(), "Duplicate hash fields detected at offset 9");

  RdbWriter z;
  z.Len(1);
  z.String("a");
  z.BinaryDouble(NAN);
  RdbReader r2(z.buffer());
  EXPECT_EQ(RdbReadValue(r2, rdb::kZSet2, RdbLimits{}, &v), RdbValueStatus::kCorrupt);

  RdbWriter e;
  e.Len(0);
  RdbReader r3(e.buffer());
  EXPECT_EQ(RdbReadValue(r3, rdb::kSet, RdbLimits{}, &v), RdbValueStatus::kEmpty);

  // A huge declared length with no data fails on the data, allocating nothing.
  RdbWriter l;
  l.Len(uint64_t{1} << 40);
  RdbReader r4(l.buffer());
  EXPECT_EQ(RdbReadValue(r4, rdb::kList, RdbLimits{}, &v), RdbValueStatus::kCorrupt);
}

TEST(RdbValueTest, TruncationsAndBitFlipsNeverCrash) {
  auto h = std::make_unique<Hash>();
  for (int k = 0; k < 20; ++k) h->Set("field" + std::to_string(k), std::string(k * 3, 'v'), HashLimits{});
  Value hv;
  hv.SetContainer(std::move(h));
  RdbWriter w;
  RdbWriteValue(w, hv);
  const std::string good = w.buffer();
  for (size_t i = 0; i < good.size(); ++i) {
    Value v;
    RdbReader cut(std::string_view(good).substr(0, i));
    EXPECT_EQ(RdbReadValue(cut, rdb::kHashListpack, RdbLimits{}, &v), RdbValueStatus::kCorrupt);
    std::string bad = good;
    bad[i] ^= 0x21;
    RdbReader flipped(bad);
    RdbReadValue(flipped, rdb::kHashListpack, RdbLimits{}, &v);
  }
}

}  // namespace
}  // namespace grabkv::storage
