// The geo family (Redis 7.0 geo.c behaviour): GEOADD, GEODIST, GEOHASH,
// GEOPOS, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the
// _RO forms of the last two.
//
// A geo index is a sorted set whose scores are 52-bit geohashes
// (storage/geohash.h), so every sorted-set command works on it. GEOADD is
// a ZADD of the encoded coordinates (zset_ops.h OpZAdd: the "zadd" event)
// and is recorded in the append-only file as that ZADD, as Redis records
// it. The search commands scan the centre cell and its eight neighbours
// of a step estimated from the radius, like Redis, so that the order of
// unsorted results (cell by cell, by score within a cell) and which
// members COUNT n ANY returns are Redis's.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/commands/partial_sort.h"
#include "server/commands/zset_ops.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/geohash.h"
#include "storage/value.h"
#include "storage/zset.h"

namespace grabkv::server {
namespace {

namespace geo = storage::geo;
using storage::ValueType;
using storage::ZSet;

// The sorted set at `key` for a read (a keyspace hit or miss counted);
// nullptr when missing or, with *wrong_type set, of another type.
const ZSet* FindGeo(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  *wrong_type = false;
  storage::Db::Entry* e = ctx.db().FindRead(key, ctx.now_ms);
  if (e == nullptr) return nullptr;
  if (e->value.type() != ValueType::kZSet) {
    *wrong_type = true;
    return nullptr;
  }
  return e->value.As<ZSet>();
}

// Redis extractLongLatOrReply: two floats, then the indexable range.
bool ParseLonLat(CommandContext& ctx, size_t i, double* lon, double* lat) {
  if (!ParseDouble(ctx.arg(i), lon) || !ParseDouble(ctx.arg(i + 1), lat)) {
    ctx.reply.Error(errors::kNotFloat);
    return false;
  }
  if (!geo::ValidLonLat(*lon, *lat)) {
    // %f of 1e308 is 309 digits: sized to fit.
    const char* fmt = "ERR invalid longitude,latitude pair %f,%f";
    std::string msg(static_cast<size_t>(std::snprintf(nullptr, 0, fmt, *lon, *lat)), '\0');
    std::snprintf(msg.data(), msg.size() + 1, fmt, *lon, *lat);
    ctx.reply.Error(msg);
    return false;
  }
  return true;
}

// Redis extractUnitOrReply: meters per unit.
bool ParseUnit(CommandContext& ctx, std::string_view arg, double* to_meters) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"m", 1}, {"km", 1000}, {"ft", 0.3048}, {"mi", 1609.34}};
  for (const auto& [name, factor] : kUnits) {
    if (IsOpt(arg, name)) {
      *to_meters = factor;
      return true;
    }
  }
  ctx.reply.Error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return false;
}

// A non-negative float argument, with Redis's error texts.
bool ParseLength(CommandContext& ctx, std::string_view arg, const char* not_numeric, double* out) {
  if (!ParseDouble(arg, out)) {
    ctx.reply.Error(not_numeric);
    return false;
  }
  return true;
}

// The position of a member, or false when it has none.
bool MemberPos(const ZSet* z, std::string_view member, double* lon, double* lat) {
  double score;
  if (z == nullptr || !z->Score(member, &score)) return false;
  geo::DecodeScore(score, lon, lat);
  return true;
}

// A distance as Redis's addReplyDoubleDistance sends it: 4 decimals, a
// bulk string in RESP2 and RESP3 alike.
void ReplyDistance(CommandContext& ctx, double d) {
  char buf[128];
  const int n = std::snprintf(buf, sizeof(buf), "%.4f", d);
  ctx.reply.Bulk(std::string_view(buf, static_cast<size_t>(n)));
}

// A coordinate as Redis's addReplyHumanLongDouble: "%.17Lf" trimmed, a bulk
// string in RESP2 and a double in RESP3.
void ReplyCoordinate(CommandContext& ctx, double v) {
  const std::string s = FormatLongDouble(v);
  if (ctx.reply.resp3()) {
    ctx.reply.Raw(",");
    ctx.reply.Raw(s);
    ctx.reply.Raw("\r\n");
  } else {
    ctx.reply.Bulk(s);
  }
}

// (long long)score as x86-64 C code converts it (WITHHASH).
int64_t ScoreAsInteger(double score) {
  constexpr double k2p63 = 9223372036854775808.0;
  if (!(score >= -k2p63 && score < k2p63)) return INT64_MIN;
  return static_cast<int64_t>(score);
}

// ---------------------------------------------------------------------------
// GEOADD key [NX|XX] [CH] lon lat member [lon lat member ...]

void CmdGeoAdd(CommandContext& ctx) {
  bool nx = false, xx = false, ch = false;
  size_t first = 2;
  for (; first < ctx.argc(); ++first) {
    const std::string_view opt = ctx.arg(first);
    if (IsOpt(opt, "nx")) {
      nx = true;
    } else if (IsOpt(opt, "xx")) {
      xx = true;
    } else if (IsOpt(opt, "ch")) {
      ch = true;
    } else {
      break;
    }
  }
  const size_t rest = ctx.argc() - first;
  if (rest % 3 != 0 || (nx && xx) || rest == 0) return ctx.reply.Error(errors::kSyntax);

  std::vector<std::string> scores(rest / 3);
  std::vector<ZAddMember> members(rest / 3);
  for (size_t i = 0; i < members.size(); ++i) {
    double lon, lat;
    if (!ParseLonLat(ctx, first + 3 * i, &lon, &lat)) return;
    const uint64_t bits = geo::EncodeScore(lon, lat);
    scores[i] = std::to_string(bits);
    members[i] = ZAddMember{static_cast<double>(bits), ctx.arg(first + 3 * i + 2)};
  }
  const unsigned flags = (nx ? unsigned{ZSet::kAddNx} : 0u) | (xx ? unsigned{ZSet::kAddXx} : 0u);
  ZAddOutcome res;
  const OpStatus st = OpZAdd(ctx.op_args(), ctx.arg(1), flags, ZSetLimitsOf(ctx.server.config()), members, &res);
  if (st != OpStatus::kOk) return ReplyStatus(ctx.reply, st);
  // Recorded as the ZADD Redis turns it into: the key and options as sent,
  // then score-member pairs.
  if (res.added + res.updated > 0 && ctx.propagating()) {
    std::vector<std::string_view> argv;
    argv.reserve(first + 2 * members.size());
    argv.push_back("zadd");
    for (size_t i = 1; i < first; ++i) argv.push_back(ctx.arg(i));
    for (size_t i = 0; i < members.size(); ++i) {
      argv.push_back(scores[i]);
      argv.push_back(members[i].member);
    }
    ctx.Propagate(Args(argv));
  } else {
    ctx.PropagateNothing();
  }
  ctx.reply.Integer(ch ? res.added + res.updated : res.added);
}

// ---------------------------------------------------------------------------
// GEODIST key member1 member2 [unit]

void CmdGeoDist(CommandContext& ctx) {
  double to_meters = 1;
  if (ctx.argc() == 5) {
    if (!ParseUnit(ctx, ctx.arg(4), &to_meters)) return;
  } else if (ctx.argc() > 5) {
    return ctx.reply.Error(errors::kSyntax);
  }
  bool wrong_type;
  const ZSet* z = FindGeo(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  double lon1, lat1, lon2, lat2;
  if (!MemberPos(z, ctx.arg(2), &lon1, &lat1) || !MemberPos(z, ctx.arg(3), &lon2, &lat2)) {
    return ctx.reply.Null();
  }
  ReplyDistance(ctx, geo::Distance(lon1, lat1, lon2, lat2) / to_meters);
}

// ---------------------------------------------------------------------------
// GEOHASH key [member ...] / GEOPOS key [member ...]

void CmdGeoHash(CommandContext& ctx) {
  bool wrong_type;
  const ZSet* z = FindGeo(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    double score;
    if (z == nullptr || !z->Score(ctx.arg(i), &score)) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(geo::GeohashString(score));
    }
  }
}

void CmdGeoPos(CommandContext& ctx) {
  bool wrong_type;
  const ZSet* z = FindGeo(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    double lon, lat;
    if (!MemberPos(z, ctx.arg(i), &lon, &lat)) {
      ctx.reply.NullArray();
      continue;
    }
    ctx.reply.ArrayHeader(2);
    ReplyCoordinate(ctx, lon);
    ReplyCoordinate(ctx, lat);
  }
}

// ---------------------------------------------------------------------------
// GEOSEARCH, GEOSEARCHSTORE, GEORADIUS[_RO], GEORADIUSBYMEMBER[_RO]
// (Redis georadiusGeneric)

enum SearchFlags : unsigned {
  kFromCoords = 1,    // GEORADIUS: lon lat radius unit
  kFromMember = 2,    // GEORADIUSBYMEMBER: member radius unit
  kNoStore = 4,       // the _RO forms
  kGeoSearch = 8,     // GEOSEARCH's FROM.../BY... options
  kGeoSearchStore = 16,
};

struct Found {
  std::string_view member;
  double score;
  double lon;
  double lat;
  double dist;
};

// Appends the members of the cells in `cells` that are in the shape, cell by
// cell in Redis's order, skipping a cell equal to the last one scanned; with
// `limit`, stops once that many are found (COUNT n ANY).
void Scan(const ZSet& z, const geo::Shape& shape, const geo::SearchCells& cells, size_t limit,
          std::vector<Found>* out) {
  const geo::Cell* last = nullptr;
  for (const geo::Cell& cell : cells.cells) {
    if (cell.unused()) continue;
    if (last != nullptr && cell.bits == last->bits && cell.step == last->step) continue;
    if (limit != 0 && out->size() >= limit) break;
    uint64_t min, max;
    geo::CellScores(cell, &min, &max);
    storage::ZScoreRange range;
    range.min = static_cast<double>(min);
    range.max = static_cast<double>(max);
    range.min_exclusive = false;
    range.max_exclusive = true;
    const ZSet::Span span = z.ScoreSpan(range);
    if (span.count > 0) {
      size_t left = span.count;
      for (ZSet::Iterator it = z.AtRank(span.first); it.Valid() && left > 0; it.Next(), --left) {
        Found f;
        f.score = it.score();
        geo::DecodeScore(f.score, &f.lon, &f.lat);
        if (geo::InShape(shape, f.lon, f.lat, &f.dist)) {
          f.member = it.member();
          out->push_back(f);
        }
        if (limit != 0 && out->size() >= limit) break;
      }
    }
    last = &cell;
  }
}

void SearchGeneric(CommandContext& ctx, size_t src_index, unsigned flags) {
  bool wrong_type;
  const ZSet* z = FindGeo(ctx, ctx.arg(src_index), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);

  geo::Shape shape;
  size_t base = 0;
  std::string_view store_key;
  bool store = false, storedist = false;
  if (flags & kFromCoords) {
    base = 6;
    if (!ParseLonLat(ctx, 2, &shape.lon, &shape.lat)) return;
  } else if (flags & kFromMember) {
    base = 5;
    // Without the key, the options are still parsed (for their errors and
    // to know which empty reply to send).
    if (z != nullptr && !MemberPos(z, ctx.arg(2), &shape.lon, &shape.lat)) {
      return ctx.reply.Error("ERR could not decode requested zset member");
    }
  } else {
    base = (flags & kGeoSearchStore) ? 3 : 2;
    if (flags & kGeoSearchStore) {
      store = true;
      store_key = ctx.arg(1);
    }
  }
  if ((flags & (kFromCoords | kFromMember)) && !(z == nullptr && (flags & kFromMember))) {
    if (!ParseLength(ctx, ctx.arg(base - 2), "ERR need numeric radius", &shape.radius)) return;
    if (shape.radius < 0) return ctx.reply.Error("ERR radius cannot be negative");
    if (!ParseUnit(ctx, ctx.arg(base - 1), &shape.conversion)) return;
  }

  bool withdist = false, withhash = false, withcoord = false, any = false;
  bool frommember = false, fromloc = false, byradius = false, bybox = false;
  enum class Sort { kNone, kAsc, kDesc } sort = Sort::kNone;
  int64_t count = 0;
  const size_t remaining = ctx.argc() > base ? ctx.argc() - base : 0;
  for (size_t i = 0; i < remaining; ++i) {
    const std::string_view arg = ctx.arg(base + i);
    const auto at = [&](size_t k) { return ctx.arg(base + i + k); };
    if (IsOpt(arg, "withdist")) {
      withdist = true;
    } else if (IsOpt(arg, "withhash")) {
      withhash = true;
    } else if (IsOpt(arg, "withcoord")) {
      withcoord = true;
    } else if (IsOpt(arg, "any")) {
      any = true;
    } else if (IsOpt(arg, "asc")) {
      sort = Sort::kAsc;
    } else if (IsOpt(arg, "desc")) {
      sort = Sort::kDesc;
    } else if (IsOpt(arg, "count") && i + 1 < remaining) {
      if (!ParseInt64(at(1), &count)) return ctx.reply.Error(errors::kNotInteger);
      if (count <= 0) return ctx.reply.Error("ERR COUNT must be > 0");
      ++i;
    } else if ((IsOpt(arg, "store") || IsOpt(arg, "storedist")) && i + 1 < remaining &&
               !(flags & (kNoStore | kGeoSearch))) {
      store = true;
      store_key = at(1);
      storedist = IsOpt(arg, "storedist");
      ++i;
    } else if (IsOpt(arg, "storedist") && (flags & kGeoSearchStore)) {
      storedist = true;
    } else if (IsOpt(arg, "frommember") && i + 1 < remaining && (flags & kGeoSearch) && !fromloc) {
      if (z != nullptr && !MemberPos(z, at(1), &shape.lon, &shape.lat)) {
        return ctx.reply.Error("ERR could not decode requested zset member");
      }
      frommember = true;
      ++i;
    } else if (IsOpt(arg, "fromlonlat") && i + 2 < remaining && (flags & kGeoSearch) && !frommember) {
      if (!ParseLonLat(ctx, base + i + 1, &shape.lon, &shape.lat)) return;
      fromloc = true;
      i += 2;
    } else if (IsOpt(arg, "byradius") && i + 2 < remaining && (flags & kGeoSearch) && !bybox) {
      if (!ParseLength(ctx, at(1), "ERR need numeric radius", &shape.radius)) return;
      if (shape.radius < 0) return ctx.reply.Error("ERR radius cannot be negative");
      if (!ParseUnit(ctx, at(2), &shape.conversion)) return;
      shape.box = false;
      byradius = true;
      i += 2;
    } else if (IsOpt(arg, "bybox") && i + 3 < remaining && (flags & kGeoSearch) && !byradius) {
      if (!ParseLength(ctx, at(1), "ERR need numeric width", &shape.width) ||
          !ParseLength(ctx, at(2), "ERR need numeric height", &shape.height)) {
        return;
      }
      if (shape.width < 0 || shape.height < 0) {
        return ctx.reply.Error("ERR height or width cannot be negative");
      }
      if (!ParseUnit(ctx, at(3), &shape.conversion)) return;
      shape.box = true;
      bybox = true;
      i += 3;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }

  if (store && (withdist || withhash || withcoord)) {
    return ctx.reply.Error((flags & kGeoSearchStore)
                               ? "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
                               : "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  }
  if ((flags & kGeoSearch) && !(frommember || fromloc)) {
    return ctx.reply.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                           std::string(AsCString(ctx.arg(0))));
  }
  if ((flags & kGeoSearch) && !(byradius || bybox)) {
    return ctx.reply.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " +
                           std::string(AsCString(ctx.arg(0))));
  }
  if (any && count == 0) return ctx.reply.Error("ERR the ANY argument requires COUNT argument");

  if (z == nullptr) {
    if (!store) return ctx.reply.ArrayHeader(0);
    ctx.db().Delete(store_key, ctx.now_ms);  // "del" when there was one
    return ctx.reply.Integer(0);
  }
  // COUNT without ANY returns the nearest: sorted ascending unless told.
  if (count != 0 && sort == Sort::kNone && !any) sort = Sort::kAsc;

  std::vector<Found> found;
  Scan(*z, shape, geo::CellsForShape(shape), any ? static_cast<size_t>(count) : 0, &found);
  if (found.empty() && !store) return ctx.reply.ArrayHeader(0);

  const size_t returned =
      count == 0 || found.size() < static_cast<uint64_t>(count) ? found.size() : static_cast<size_t>(count);
  // Redis sorts all with qsort (glibc's is a merge sort: ties keep the scan
  // order), or only the COUNT first with its partial quicksort.
  if (sort != Sort::kNone) {
    const bool desc = sort == Sort::kDesc;
    auto cmp = [desc](const Found& a, const Found& b) {
      const int c = a.dist > b.dist ? 1 : (a.dist == b.dist ? 0 : -1);
      return desc ? -c : c;
    };
    if (returned == found.size()) {
      std::stable_sort(found.begin(), found.end(),
                       [&](const Found& a, const Found& b) { return cmp(a, b) < 0; });
    } else {
      PartialQuickSort(found, cmp, 0, returned - 1);
    }
  }
  found.resize(returned);
  for (Found& f : found) f.dist /= shape.conversion;

  if (store) {
    if (found.empty()) {
      ctx.db().Delete(store_key, ctx.now_ms);  // "del" when there was one
      return ctx.reply.Integer(0);
    }
    std::vector<std::pair<std::string, double>> pairs;
    pairs.reserve(found.size());
    for (const Found& f : found) pairs.emplace_back(std::string(f.member), storedist ? f.dist : f.score);
    storage::Value v;
    v.SetContainer(BuildZSet(pairs, ZSetLimitsOf(ctx.server.config())));
    {
      // Replaces the destination (dropping its TTL); one change per member.
      storage::KeyWrite w(ctx.db(), store_key, ctx.now_ms);
      w.Replace(std::move(v));
      w.Note((flags & kGeoSearch) ? zset_events::kGeoSearchStore : zset_events::kGeoRadiusStore,
             found.size());
    }
    return ctx.reply.Integer(static_cast<int64_t>(found.size()));
  }

  const size_t options = (withdist ? 1 : 0) + (withhash ? 1 : 0) + (withcoord ? 1 : 0);
  ctx.reply.ArrayHeader(found.size());
  for (const Found& f : found) {
    if (options > 0) ctx.reply.ArrayHeader(options + 1);
    ctx.reply.Bulk(f.member);
    if (withdist) ReplyDistance(ctx, f.dist);
    if (withhash) ctx.reply.Integer(ScoreAsInteger(f.score));
    if (withcoord) {
      ctx.reply.ArrayHeader(2);
      ReplyCoordinate(ctx, f.lon);
      ReplyCoordinate(ctx, f.lat);
    }
  }
}

void CmdGeoRadius(CommandContext& ctx) { SearchGeneric(ctx, 1, kFromCoords); }
void CmdGeoRadiusRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kFromCoords | kNoStore); }
void CmdGeoRadiusByMember(CommandContext& ctx) { SearchGeneric(ctx, 1, kFromMember); }
void CmdGeoRadiusByMemberRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kFromMember | kNoStore); }
void CmdGeoSearch(CommandContext& ctx) { SearchGeneric(ctx, 1, kGeoSearch); }
void CmdGeoSearchStore(CommandContext& ctx) { SearchGeneric(ctx, 2, kGeoSearch | kGeoSearchStore); }

}  // namespace

void RegisterGeoFamily(CommandTable& t) {
  constexpr uint32_t kW = kWrite;
  constexpr uint32_t kR = kReadonly;
  CommandFamily f(t, "geo", kAclGeo);
  f.Add({.name = "geoadd", .arity = -5, .flags = kW | kDenyOom,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdGeoAdd,
         .summary = "Add one or more geospatial items in the geospatial index represented using a sorted set", .since = "3.2.0"});
  f.Add({.name = "geodist", .arity = -4, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGeoDist,
         .summary = "Returns the distance between two members of a geospatial index", .since = "3.2.0"});
  f.Add({.name = "geohash", .arity = -2, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGeoHash,
         .summary = "Returns members of a geospatial index as standard geohash strings", .since = "3.2.0"});
  f.Add({.name = "geopos", .arity = -2, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGeoPos,
         .summary = "Returns longitude and latitude of members of a geospatial index", .since = "3.2.0"});
  f.Add({.name = "geosearch", .arity = -7, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGeoSearch,
         .summary = "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", .since = "6.2.0"});
  f.Add({.name = "geosearchstore", .arity = -8, .flags = kW | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2}}, .handler = CmdGeoSearchStore,
         .summary = "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", .since = "6.2.0"});
  f.Add({.name = "georadius", .arity = -6, .flags = kW | kDenyOom,
         .keys = {{.flags = kRO | kAccess, .index = 1},
                  {.flags = kOW | kUpdate, .keyword = "STORE", .startfrom = 6},
                  {.flags = kOW | kUpdate, .keyword = "STOREDIST", .startfrom = 6}},
         .handler = CmdGeoRadius,
         .summary = "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", .since = "3.2.0"});
  f.Add({.name = "georadius_ro", .arity = -6, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGeoRadiusRo,
         .summary = "A read-only variant for GEORADIUS", .since = "3.2.10"});
  f.Add({.name = "georadiusbymember", .arity = -5, .flags = kW | kDenyOom,
         .keys = {{.flags = kRO | kAccess, .index = 1},
                  {.flags = kOW | kUpdate, .keyword = "STORE", .startfrom = 5},
                  {.flags = kOW | kUpdate, .keyword = "STOREDIST", .startfrom = 5}},
         .handler = CmdGeoRadiusByMember,
         .summary = "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", .since = "3.2.0"});
  f.Add({.name = "georadiusbymember_ro", .arity = -5, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGeoRadiusByMemberRo,
         .summary = "A read-only variant for GEORADIUSBYMEMBER", .since = "3.2.10"});
}

}  // namespace grabkv::server
