// storage/geohash.h against values a real redis-server 7.0.15 printed for the
// same input (GEOADD scores, GEOPOS, GEOHASH, GEODIST).
#include "storage/geohash.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace grabkv::storage::geo {
namespace {

std::string Fixed(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

TEST(Geohash, ScoreOfCoordinates) {
  EXPECT_EQ(EncodeScore(13.361389, 38.115556), 3479099956230698ULL);
  EXPECT_EQ(EncodeScore(15.087269, 37.502669), 3479447370796909ULL);
  EXPECT_EQ(EncodeScore(1, 1), 3377822707026402ULL);
}

TEST(Geohash, DecodeIsTheCellCentre) {
  double lon, lat;
  DecodeScore(3479099956230698.0, &lon, &lat);
  EXPECT_EQ(Fixed("%.17f", lon), "13.36138933897018433");
  EXPECT_EQ(Fixed("%.17f", lat), "38.11555639549629859");
}

TEST(Geohash, StandardGeohashString) {
  EXPECT_EQ(GeohashString(3479099956230698.0), "sqc8b49rny0");
}

TEST(Geohash, HaversineWithRedisRadius) {
  double lon1, lat1, lon2, lat2;
  DecodeScore(3479099956230698.0, &lon1, &lat1);
  DecodeScore(3479447370796909.0, &lon2, &lat2);
  EXPECT_EQ(Fixed("%.4f", Distance(lon1, lat1, lon2, lat2) / 1609.34), "103.3182");
}

TEST(Geohash, OutOfRangeScoresDecodeInsideTheArea) {
  // Scores no GEOADD makes (negative, huge, infinite) still decode to a
  // point of the indexable area, as in Redis.
  for (double s : {-1.0, 1e300, -1e300, 1.0 / 0.0, 4503599627370496.0 * 8}) {
    double lon, lat;
    DecodeScore(s, &lon, &lat);
    EXPECT_TRUE(ValidLonLat(lon, lat)) << s;
  }
}

TEST(Geohash, StepsShrinkWithTheRadius) {
  EXPECT_EQ(EstimateSteps(0, 0), 26);
  EXPECT_GT(EstimateSteps(100, 0), EstimateSteps(100000, 0));
  EXPECT_EQ(EstimateSteps(100000, 70), EstimateSteps(100000, 0) - 1);
  EXPECT_EQ(EstimateSteps(100000, 85), EstimateSteps(100000, 0) - 2);
  EXPECT_EQ(EstimateSteps(1e9, 0), 1);
}

TEST(Geohash, SearchCellsCoverTheCentre) {
  Shape s;
  s.lon = 15;
  s.lat = 37;
  s.radius = 200;
  s.conversion = 1000;
  const SearchCells cells = CellsForShape(s);
  ASSERT_FALSE(cells.cells[0].unused());
  const uint64_t score = EncodeScore(15, 37);
  uint64_t min, max;
  CellScores(cells.cells[0], &min, &max);
  EXPECT_LE(min, score);
  EXPECT_LT(score, max);
  double d;
  EXPECT_TRUE(InShape(s, 15.087269, 37.502669, &d));
  EXPECT_FALSE(InShape(s, 13.361389, 38.115556 + 5, &d));
}

}  // namespace
}  // namespace grabkv::storage::geo
