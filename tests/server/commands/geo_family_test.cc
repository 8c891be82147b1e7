// Geo and SORT writes in process: the events, changes (server.dirty) and
// key reports each makes, as redis-server 7.0.15 reports them
// (notify-keyspace-events KEA; INFO persistence rdb_changes_since_last_save
// before and after each command). Replies are compared byte for byte with
// Redis by tests/integration/cases/geo.txt and sort.txt.
#include <gtest/gtest.h>

#include <string>

#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv::server {
namespace {

using namespace grabkv::testing::replies;
using testing::Effects;

class GeoSortWritesTest : public testing::FamilyTest {};

TEST_F(GeoSortWritesTest, GeoAddIsAZadd) {
  EXPECT_EQ(Observe("GEOADD g 1 1 a 1.1 1 b 1.2 1 c"), (Effects{{"zadd"}, 3, 1}));
  EXPECT_EQ(Observe("GEOADD g 1 1 a"), (Effects{{}, 0, 0}));
  EXPECT_EQ(Observe("GEOADD g CH 1 1 a 2 2 b 3 3 d"), (Effects{{"zadd"}, 2, 1}));
  EXPECT_EQ(Observe("GEOADD g XX 5 5 zz"), (Effects{{}, 0, 0}));
  EXPECT_EQ(Observe("GEOADD g 1 1 e 200 1 f"), (Effects{{}, 0, 0}));  // a bad pair: nothing
  EXPECT_EQ(Cmd("ZCARD g"), Int(4));
}

TEST_F(GeoSortWritesTest, StoresCountOneChangePerMember) {
  Cmd("GEOADD g 1 1 a 1.1 1 b 1.2 1 c");
  EXPECT_EQ(Observe("GEOSEARCHSTORE d g FROMLONLAT 1 1 BYRADIUS 100 km"),
            (Effects{{"geosearchstore"}, 3, 1}));
  EXPECT_EQ(Observe("GEORADIUS g 1 1 100 km STOREDIST d COUNT 2"), (Effects{{"georadiusstore"}, 2, 1}));
  EXPECT_EQ(Cmd("ZCARD d"), Int(2));
  EXPECT_EQ(Observe("GEOSEARCHSTORE d g FROMLONLAT 50 50 BYRADIUS 1 km"), (Effects{{"del"}, 1, 1}));
  EXPECT_FALSE(Exists("d"));
  EXPECT_EQ(Observe("GEOSEARCHSTORE d g FROMLONLAT 50 50 BYRADIUS 1 km"), (Effects{{}, 0, 0}));
  EXPECT_EQ(Observe("GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 100 km"), (Effects{{}, 0, 0}));
}

TEST_F(GeoSortWritesTest, SortStoreCountsItsElements) {
  Cmd("RPUSH l 3 2 1");
  EXPECT_EQ(Observe("SORT l STORE d"), (Effects{{"sortstore"}, 3, 1}));
  EXPECT_EQ(Observe("SORT l GET # GET x_* STORE d"), (Effects{{"sortstore"}, 6, 1}));
  EXPECT_EQ(Cmd("LRANGE d 0 -1"), Bulks({"1", "", "2", "", "3", ""}));
  EXPECT_EQ(Observe("SORT l LIMIT 0 0 STORE d"), (Effects{{"del"}, 1, 1}));
  EXPECT_EQ(Observe("SORT l LIMIT 0 0 STORE d"), (Effects{{}, 0, 0}));
  EXPECT_EQ(Observe("SORT l"), (Effects{{}, 0, 0}));
}

}  // namespace
}  // namespace grabkv::server
