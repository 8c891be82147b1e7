#include "storage/geohash.h"

#include <cmath>

namespace grabkv::storage::geo {

namespace {

constexpr double kDegToRad = M_PI / 180.0;
constexpr double kMercatorMax = 20037726.37;
constexpr uint64_t kOddBits = 0xaaaaaaaaaaaaaaaaULL;   // longitude
constexpr uint64_t kEvenBits = 0x5555555555555555ULL;  // latitude

double ToRad(double deg) { return deg * kDegToRad; }
double ToDeg(double rad) { return rad / kDegToRad; }

// Spreads the 32 bits of v to the even bit positions of a 64-bit word.
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// The even bits of v, packed into 32 bits.
uint32_t Squash(uint64_t x) {
  x &= 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}

// (uint64_t)d as x86-64 code compiled from C computes it (cvttsd2si, with
// 2^63 subtracted first for values at or above it), without the C++
// undefined behaviour for doubles out of range.
uint64_t DoubleToU64(double d) {
  constexpr double k2p63 = 9223372036854775808.0;
  auto truncate = [](double x) -> uint64_t {
    if (!(x >= -k2p63 && x < k2p63)) return 0x8000000000000000ULL;  // NaN or out of range
    return static_cast<uint64_t>(static_cast<int64_t>(x));
  };
  if (!(d >= k2p63)) return truncate(d);  // NaN takes this branch too
  return truncate(d - k2p63) ^ 0x8000000000000000ULL;
}

struct Area {
  Range lon;
  Range lat;
};

const Range kLonRange{kLonMin, kLonMax};
const Range kLatRange{kLatMin, kLatMax};

Area Decode(const Range& lon_range, const Range& lat_range, const Cell& c) {
  const uint32_t ilat = Squash(c.bits);
  const uint32_t ilon = Squash(c.bits >> 1);
  const double lat_scale = lat_range.max - lat_range.min;
  const double lon_scale = lon_range.max - lon_range.min;
  const double cells = static_cast<double>(1ULL << c.step);
  const uint32_t ilat_next = ilat + 1;  // wraps as Redis's uint32_t does
  const uint32_t ilon_next = ilon + 1;
  Area a;
  a.lat.min = lat_range.min + (ilat * 1.0 / cells) * lat_scale;
  a.lat.max = lat_range.min + (ilat_next * 1.0 / cells) * lat_scale;
  a.lon.min = lon_range.min + (ilon * 1.0 / cells) * lon_scale;
  a.lon.max = lon_range.min + (ilon_next * 1.0 / cells) * lon_scale;
  return a;
}

// One step east/west (`lon`) or north/south, wrapping around within the
// cell's step, the other coordinate's bits left as they are.
Cell Move(Cell c, bool lon, int d) {
  if (d == 0) return c;
  const uint64_t mine = lon ? kOddBits : kEvenBits;
  const uint64_t theirs = lon ? kEvenBits : kOddBits;
  const int shift = 64 - c.step * 2;
  uint64_t v = c.bits & mine;
  const uint64_t filler = theirs >> shift;  // carries and borrows run through these
  if (d > 0) {
    v = v + filler + 1;
  } else {
    v = (v | filler) - (filler + 1);
  }
  v &= mine >> shift;
  c.bits = (c.bits & theirs) | v;
  return c;
}

Cell MoveBoth(const Cell& c, int dlon, int dlat) { return Move(Move(c, true, dlon), false, dlat); }

}  // namespace

Cell Encode(const Range& lon_range, const Range& lat_range, double lon, double lat, int step) {
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(1ULL << step);
  lon_offset *= static_cast<double>(1ULL << step);
  Cell c;
  c.step = static_cast<uint8_t>(step);
  c.bits = Spread(static_cast<uint32_t>(lat_offset)) | (Spread(static_cast<uint32_t>(lon_offset)) << 1);
  return c;
}

uint64_t EncodeScore(double lon, double lat) {
  return Align52(Encode(kLonRange, kLatRange, lon, lat, kStepMax));
}

void DecodeScore(double score, double* lon, double* lat) {
  const Area a = Decode(kLonRange, kLatRange, Cell{DoubleToU64(score), kStepMax});
  double x = (a.lon.min + a.lon.max) / 2;
  if (x > kLonMax) x = kLonMax;
  if (x < kLonMin) x = kLonMin;
  double y = (a.lat.min + a.lat.max) / 2;
  if (y > kLatMax) y = kLatMax;
  if (y < kLatMin) y = kLatMin;
  *lon = x;
  *lat = y;
}

std::string GeohashString(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lon, lat;
  DecodeScore(score, &lon, &lat);
  const Cell c = Encode(Range{-180, 180}, Range{-90, 90}, lon, lat, kStepMax);
  std::string out(11, '0');
  for (int i = 0; i < 10; ++i) out[i] = kAlphabet[(c.bits >> (52 - (i + 1) * 5)) & 0x1f];
  return out;  // the 11th character has no bits left: always '0', as in Redis
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  const double lat1r = ToRad(lat1), lon1r = ToRad(lon1);
  const double lat2r = ToRad(lat2), lon2r = ToRad(lon2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double v = std::sin((lon2r - lon1r) / 2);
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(u * u + std::cos(lat1r) * std::cos(lat2r) * v * v));
}

bool InShape(const Shape& s, double lon, double lat, double* dist) {
  if (!s.box) {
    const double d = Distance(s.lon, s.lat, lon, lat);
    if (d > s.radius * s.conversion) return false;
    *dist = d;
    return true;
  }
  const double lon_dist = Distance(lon, lat, s.lon, lat);
  const double lat_dist = Distance(lon, lat, lon, s.lat);
  if (lon_dist > s.width * s.conversion / 2 || lat_dist > s.height * s.conversion / 2) return false;
  *dist = Distance(s.lon, s.lat, lon, lat);
  return true;
}

int EstimateSteps(double range_meters, double lat) {
  if (range_meters == 0) return kStepMax;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    ++step;
  }
  step -= 2;  // so that the range fits in most cases
  // Meridians get closer towards the poles.
  if (lat > 66 || lat < -66) {
    --step;
    if (lat > 80 || lat < -80) --step;
  }
  if (step < 1) step = 1;
  if (step > kStepMax) step = kStepMax;
  return step;
}

SearchCells CellsForShape(const Shape& s) {
  // The bounding box of the shape: the longitude span is widest on the
  // edge nearer the pole.
  const double half_h = s.conversion * (s.box ? s.height / 2 : s.radius);
  const double half_w = s.conversion * (s.box ? s.width / 2 : s.radius);
  const double lat_delta = ToDeg(half_h / kEarthRadiusMeters);
  const double lon_delta_top = ToDeg(half_w / kEarthRadiusMeters / std::cos(ToRad(s.lat + lat_delta)));
  const double lon_delta_bottom = ToDeg(half_w / kEarthRadiusMeters / std::cos(ToRad(s.lat - lat_delta)));
  const bool south = s.lat < 0;
  const double min_lon = south ? s.lon - lon_delta_bottom : s.lon - lon_delta_top;
  const double max_lon = south ? s.lon + lon_delta_bottom : s.lon + lon_delta_top;
  const double min_lat = s.lat - lat_delta;
  const double max_lat = s.lat + lat_delta;

  double radius_m = s.box ? std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2))
                          : s.radius;
  radius_m *= s.conversion;
  int steps = EstimateSteps(radius_m, s.lat);

  Cell centre = Encode(kLonRange, kLatRange, s.lon, s.lat, steps);
  // A neighbour too near the search area's edge: one step coarser.
  {
    const Area north = Decode(kLonRange, kLatRange, MoveBoth(centre, 0, 1));
    const Area south_a = Decode(kLonRange, kLatRange, MoveBoth(centre, 0, -1));
    const Area east = Decode(kLonRange, kLatRange, MoveBoth(centre, 1, 0));
    const Area west = Decode(kLonRange, kLatRange, MoveBoth(centre, -1, 0));
    const bool coarser = north.lat.max < max_lat || south_a.lat.min > min_lat ||
                         east.lon.max < max_lon || west.lon.min > min_lon;
    if (steps > 1 && coarser) {
      --steps;
      centre = Encode(kLonRange, kLatRange, s.lon, s.lat, steps);
    }
  }
  SearchCells out;
  Cell* c = out.cells;
  c[0] = centre;
  c[1] = MoveBoth(centre, 0, 1);    // north
  c[2] = MoveBoth(centre, 0, -1);   // south
  c[3] = MoveBoth(centre, 1, 0);    // east
  c[4] = MoveBoth(centre, -1, 0);   // west
  c[5] = MoveBoth(centre, 1, 1);    // north-east
  c[6] = MoveBoth(centre, -1, 1);   // north-west
  c[7] = MoveBoth(centre, 1, -1);   // south-east
  c[8] = MoveBoth(centre, -1, -1);  // south-west
  if (steps >= 2) {
    const Area area = Decode(kLonRange, kLatRange, centre);
    const Cell none;
    if (area.lat.min < min_lat) c[2] = c[7] = c[8] = none;
    if (area.lat.max > max_lat) c[1] = c[5] = c[6] = none;
    if (area.lon.min < min_lon) c[4] = c[8] = c[6] = none;
    if (area.lon.max > max_lon) c[3] = c[7] = c[5] = none;
  }
  return out;
}

}  // namespace grabkv::storage::geo
