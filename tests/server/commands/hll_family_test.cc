// The HyperLogLog family in-process: what each command reports (events,
// dirty, WATCH) and propagates, as Redis 7.0.15 does (checked there with
// notify-keyspace-events KEA and the append-only file).
#include <string>
#include <utility>
#include <vector>

#include "server/core/propagate.h"
#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv::testing {
namespace {

using namespace grabkv::testing::replies;

class HllFamilyTest : public FamilyTest {
 protected:
  HllFamilyTest() {
    server::Propagator& p = runner_.server().propagator();
    p.set_sink([this](std::string_view resp) { propagated_ += resp; });
    p.set_enabled(true);
  }
  // What the commands run since the last call propagated.
  std::string TakePropagated() { return std::exchange(propagated_, {}); }

  std::string propagated_;
};

bool Has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

TEST_F(HllFamilyTest, PfAddReportsPfAddPerChange) {
  std::string reply;
  EXPECT_EQ(Observe("PFADD k a b c", &reply), (Effects{{"pfadd"}, 4, 1}));  // created + 3 registers
  EXPECT_EQ(reply, Int(1));
  EXPECT_EQ(Observe("PFADD k a", &reply), (Effects{{}, 0, 0}));
  EXPECT_EQ(reply, Int(0));
  EXPECT_EQ(Observe("PFADD empty", &reply), (Effects{{"pfadd"}, 1, 1}));
  EXPECT_EQ(reply, Int(1));
  EXPECT_EQ(Encoding("k"), Bulk("raw"));
  EXPECT_TRUE(Has(TakePropagated(), "PFADD\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\nb"));
}

TEST_F(HllFamilyTest, PfCountCachesAndPropagatesOnlyThen) {
  Cmd("PFADD k a b c");
  TakePropagated();
  std::string reply;
  EXPECT_EQ(Observe("PFCOUNT k", &reply), (Effects{{}, 1, 1}));  // stores the cache
  EXPECT_EQ(reply, Int(3));
  EXPECT_TRUE(Has(TakePropagated(), "PFCOUNT"));
  EXPECT_EQ(Observe("PFCOUNT k", &reply), (Effects{{}, 0, 0}));  // cached
  EXPECT_EQ(reply, Int(3));
  EXPECT_EQ(TakePropagated(), "");
  EXPECT_EQ(Observe("PFCOUNT k k missing", &reply), (Effects{{}, 0, 0}));
  EXPECT_EQ(reply, Int(3));
  EXPECT_EQ(TakePropagated(), "");
  EXPECT_EQ(Cmd("PFCOUNT missing"), Int(0));
}

TEST_F(HllFamilyTest, PfMergeReportsOnePfAdd) {
  Cmd("PFADD a 1 2");
  Cmd("PFADD b 3");
  std::string reply;
  EXPECT_EQ(Observe("PFMERGE d a b", &reply), (Effects{{"pfadd"}, 1, 1}));
  EXPECT_EQ(reply, kOk);
  EXPECT_EQ(Cmd("PFCOUNT d"), Int(3));
  EXPECT_EQ(Observe("PFMERGE d", &reply), (Effects{{"pfadd"}, 1, 1}));  // even when unchanged
}

TEST_F(HllFamilyTest, PfDebugToDenseIsDirtyWithoutTouchingWatch) {
  Cmd("PFADD k a");
  TakePropagated();
  const uint64_t d0 = dirty();
  const int t0 = touched();
  EXPECT_EQ(Cmd("PFDEBUG TODENSE k"), Int(1));
  EXPECT_EQ(dirty(), d0 + 1);
  EXPECT_EQ(touched(), t0);
  EXPECT_TRUE(Has(TakePropagated(), "TODENSE"));
  EXPECT_EQ(Cmd("PFDEBUG TODENSE k"), Int(0));
  EXPECT_EQ(TakePropagated(), "");
  EXPECT_EQ(Cmd("PFDEBUG ENCODING k"), "+dense\r\n");
  EXPECT_EQ(Cmd("PFDEBUG DECODE k"), Err("ERR HLL encoding is not sparse"));
}

TEST_F(HllFamilyTest, ErrorsChangeNothing) {
  Cmd("SET s notanhll");
  const std::string not_hll = Err("WRONGTYPE Key is not a valid HyperLogLog string value.");
  EXPECT_EQ(Observe("PFADD s a"), (Effects{{}, 0, 0}));
  EXPECT_EQ(Cmd("PFADD s a"), not_hll);
  EXPECT_EQ(Cmd("PFCOUNT s"), not_hll);
  EXPECT_EQ(Cmd("PFMERGE d s"), not_hll);
  EXPECT_FALSE(Exists("d"));
  EXPECT_EQ(Cmd("GET s"), Bulk("notanhll"));
  // A sparse code covering 32768 registers.
  Run({"SET", "c", std::string("HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x7f\xff\x7f\xff", 20)});
  const std::string corrupt = Err("INVALIDOBJ Corrupted HLL object detected");
  EXPECT_EQ(Cmd("PFCOUNT c"), corrupt);
  EXPECT_EQ(Cmd("PFCOUNT c c"), corrupt);
  EXPECT_EQ(Cmd("PFMERGE d c"), corrupt);
  EXPECT_EQ(Cmd("PFDEBUG TODENSE c"), corrupt);
  EXPECT_EQ(Cmd("PFDEBUG GETREG c"), corrupt);
  EXPECT_FALSE(Exists("d"));
  EXPECT_EQ(Cmd("PFDEBUG ENCODING missing"), Err("ERR The specified key does not exist"));
  EXPECT_EQ(Cmd("PFDEBUG NOPE c"), Err("ERR Unknown PFDEBUG subcommand 'NOPE'"));
}

TEST_F(HllFamilyTest, SparseMaxBytesFromConfig) {
  EXPECT_EQ(Cmd("CONFIG SET hll-sparse-max-bytes 30"), kOk);
  Cmd("PFADD k a b c d e f g h i j");
  EXPECT_EQ(Cmd("PFDEBUG ENCODING k"), "+dense\r\n");
}

TEST_F(HllFamilyTest, SelfTest) { EXPECT_EQ(Cmd("PFSELFTEST"), kOk); }

}  // namespace
}  // namespace grabkv::testing
