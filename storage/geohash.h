// Geohash math of Redis's geo commands (Redis 7.0 geohash.c and
// geohash_helper.c behaviour, written here from its description): the
// 52-bit interleaved score a GEOADD member gets, its decoding back to the
// centre of its cell, the 11-character standard geohash string, the
// haversine distance with Redis's earth radius, and the nine cells (centre
// and neighbours) a radius or box search scans.
//
// Pure functions over doubles and integers: no server or storage types.
// Every expression keeps Redis's order of operations, because coordinates
// and distances are printed to 17 and 4 decimals and must equal Redis's.
#pragma once

#include <cstdint>
#include <string>

namespace grabkv::storage::geo {

inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr int kStepMax = 26;  // 52 bits
inline constexpr double kEarthRadiusMeters = 6372797.560856;

// A cell: `step` bits of longitude and of latitude, interleaved (longitude
// in the odd bits). step 0 with bits 0 marks an unused neighbour.
struct Cell {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool unused() const { return bits == 0 && step == 0; }
};

struct Range {
  double min;
  double max;
};

// Whether (lon, lat) is inside the indexable area (Redis's GEOADD check).
inline bool ValidLonLat(double lon, double lat) {
  return !(lon < kLonMin || lon > kLonMax || lat < kLatMin || lat > kLatMax);
}

// Encodes (lon, lat) in the given ranges at `step`. The caller checks the
// coordinates are inside the ranges.
Cell Encode(const Range& lon_range, const Range& lat_range, double lon, double lat, int step);
// The 52-bit GEOADD score of (lon, lat) (Redis's ranges, step 26).
uint64_t EncodeScore(double lon, double lat);
// The score aligned to 52 bits of a cell of fewer steps.
inline uint64_t Align52(const Cell& c) { return c.bits << (52 - c.step * 2); }

// The centre of the step-26 cell a sorted-set score names, clamped to the
// indexable area, as Redis decodes a member's score (the double converted to
// an integer as x86-64 code compiled from C does).
void DecodeScore(double score, double* lon, double* lat);

// The 11-character standard geohash (latitude range ±90) of a score.
std::string GeohashString(double score);

// Haversine distance in meters (Redis 7.0 geohashGetDistance).
double Distance(double lon1, double lat1, double lon2, double lat2);

// The search shape of GEOSEARCH/GEORADIUS: a circle of `radius` or a box of
// `width` x `height`, in units of `conversion` meters, around (lon, lat).
struct Shape {
  bool box = false;
  double lon = 0;
  double lat = 0;
  double conversion = 1;
  double radius = 0;
  double width = 0;
  double height = 0;
};

// Whether the point (lon, lat) is in the shape; *dist is its distance in
// meters from the centre (set only when inside).
bool InShape(const Shape& s, double lon, double lat, double* dist);

// Redis geohashEstimateStepsByRadius.
int EstimateSteps(double range_meters, double lat);

// The cells to scan, in Redis's order: centre, N, S, E, W, NE, NW, SE, SW
// (unused ones marked).
struct SearchCells {
  Cell cells[9];
};
SearchCells CellsForShape(const Shape& s);

// The score range [*min, *max) of the members inside a cell.
inline void CellScores(const Cell& c, uint64_t* min, uint64_t* max) {
  *min = Align52(c);
  Cell next = c;
  ++next.bits;
  *max = Align52(next);
}

}  // namespace grabkv::storage::geo
