#include "storage/rdb_value.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "storage/crc64.h"
#include "storage/list.h"
#include "storage/packed_formats.h"

namespace grabkv::storage {

namespace {

// Redis 7.0's list-max-listpack-size default (-2): nodes of up to 8 KB.
constexpr size_t kQuicklistNodeBytes = 8192;

void WriteList(RdbWriter& w, const List& list) {
  // Nodes first into a vector: the node count precedes them.
  std::vector<std::string> nodes;
  ListpackWriter lp;
  for (auto it = list.Begin(); it.Valid(); it.Next()) {
    if (lp.count() > 0 && lp.bytes() + it.value().size() + 11 > kQuicklistNodeBytes) {
      nodes.push_back(lp.Finish());
    }
    lp.Append(it.value());
  }
  if (lp.count() > 0) nodes.push_back(lp.Finish());
  w.Len(nodes.size());
  for (const std::string& n : nodes) {
    w.Len(rdb::kQuicklistPacked);
    w.String(n);
  }
}

void WriteSet(RdbWriter& w, const Set& set) {
  if (set.is_intset()) {
    std::vector<int64_t> ints;
    ints.reserve(set.Length());
    set.ForEach([&](std::string_view m) {
      int64_t v = 0;
      ParseInt64(m, &v);
      ints.push_back(v);
    });
    w.String(IntsetEncode(ints));
    return;
  }
  w.Len(set.Length());
  set.ForEach([&](std::string_view m) { w.String(m); });
}

void WriteHash(RdbWriter& w, const Hash& h) {
  if (h.is_listpack()) {
    ListpackWriter lp;
    h.ForEach([&](std::string_view f, std::string_view v) {
      lp.Append(f);
      lp.Append(v);
    });
    w.String(lp.Finish());
    return;
  }
  w.Len(h.Length());
  h.ForEach([&](std::string_view f, std::string_view v) {
    w.String(f);
    w.String(v);
  });
}

void WriteZSet(RdbWriter& w, const ZSet& z) {
  if (z.is_listpack()) {
    ListpackWriter lp;
    char buf[32];
    for (auto it = z.Begin(); it.Valid(); it.Next()) {
      lp.Append(it.member());
      lp.Append(FormatScore(it.score(), buf));
    }
    w.String(lp.Finish());
    return;
  }
  // Highest score first, as Redis writes it (its loader then inserts at the
  // head of the skiplist).
  w.Len(z.size());
  for (auto it = z.Last(); it.Valid(); it.Prev()) {
    w.String(it.member());
    w.BinaryDouble(it.score());
  }
}

}  // namespace

uint8_t RdbTypeOf(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
      return rdb::kString;
    case ValueType::kList:
      return rdb::kListQuicklist2;
    case ValueType::kSet:
      return v.As<Set>()->is_intset() ? rdb::kSetIntset : rdb::kSet;
    case ValueType::kHash:
      return v.As<Hash>()->is_listpack() ? rdb::kHashListpack : rdb::kHash;
    case ValueType::kZSet:
      return v.As<ZSet>()->is_listpack() ? rdb::kZSetListpack : rdb::kZSet2;
  }
  return rdb::kString;
}

void RdbWriteValue(RdbWriter& w, const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
      if (v.is_int()) {
        w.IntString(v.int_value());
      } else {
        std::string scratch;
        w.String(v.GetString(&scratch));
      }
      return;
    case ValueType::kList:
      WriteList(w, *v.As<List>());
      return;
    case ValueType::kSet:
      WriteSet(w, *v.As<Set>());
      return;
    case ValueType::kHash:
      WriteHash(w, *v.As<Hash>());
      return;
    case ValueType::kZSet:
      WriteZSet(w, *v.As<ZSet>());
      return;
  }
}

bool RdbIsValueType(uint8_t t) {
  return t <= rdb::kHash || t == rdb::kZSet2 || (t >= rdb::kHashZipmap && t <= rdb::kListQuicklist) ||
         t == rdb::kHashListpack || t == rdb::kZSetListpack || t == rdb::kListQuicklist2;
}

namespace {

using Status = RdbValueStatus;

// Collects the entries of a packed blob as strings.
bool ReadPacked(RdbReader& r, bool listpack, std::vector<std::string>* out) {
  std::string blob;
  if (!r.String(&blob)) return false;
  std::string why, scratch;
  size_t n;
  out->clear();
  auto fn = [&](const PackedEntry& e) { out->emplace_back(e.View(&scratch)); };
  bool ok = listpack ? ListpackRead(blob, &n, fn, &why) : ZiplistRead(blob, &n, fn, &why);
  if (!ok) return r.Fail("Invalid " + why);
  return true;
}

// Builders: each adds one element and fails on duplicates.
struct HashBuilder {
  const RdbLimits& limits;
  std::unique_ptr<Hash> h = std::make_unique<Hash>();
  bool Add(RdbReader& r, std::string_view f, std::string_view v) {
    if (!h->Set(f, v, limits.hash)) return r.Fail("Duplicate hash fields detected");
    return true;
  }
};

struct ZSetBuilder {
  const RdbLimits& limits;
  std::unique_ptr<ZSet> z;
  size_t max_len = 0;
  ZSetBuilder(const RdbLimits& l, size_t size_hint) : limits(l), z(ZSet::ForSize(size_hint, l.zset)) {}
  bool Add(RdbReader& r, std::string_view m, double score) {
    if (std::isnan(score)) return r.Fail("Zset with NAN score detected");
    double ns;
    if (z->Add(m, score, ZSet::kAddNx, limits.zset, &ns) != ZSet::AddResult::kAdded) {
      return r.Fail("Duplicate zset fields detected");
    }
    if (m.size() > max_len) max_len = m.size();
    return true;
  }
  void Finish(Value* out) {
    z->MaybeConvertToListpack(max_len, limits.zset);
    out->SetContainer(std::move(z));
  }
};

struct SetBuilder {
  const RdbLimits& limits;
  std::unique_ptr<Set> s;
  bool Add(RdbReader& r, std::string_view m) {
    if (s == nullptr) s = Set::CreateFor(m);
    if (!s->Add(m, limits.set)) return r.Fail("Duplicate set members detected");
    return true;
  }
};

Status ReadList(RdbReader& r, uint8_t type, Value* out) {
  auto list = std::make_unique<List>();
  uint64_t n;
  if (type == rdb::kList) {
    if (!r.Len(&n)) return Status::kCorrupt;
    std::string s;
    for (uint64_t i = 0; i < n; ++i) {
      if (!r.String(&s)) return Status::kCorrupt;
      list->PushBack(s);
    }
  } else if (type == rdb::kListZiplist) {
    std::vector<std::string> items;
    if (!ReadPacked(r, false, &items)) return Status::kCorrupt;
    for (const auto& s : items) list->PushBack(s);
  } else {
    if (!r.Len(&n)) return Status::kCorrupt;
    std::vector<std::string> items;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t container = rdb::kQuicklistPacked;
      if (type == rdb::kListQuicklist2) {
        if (!r.Len(&container)) return Status::kCorrupt;
        if (container != rdb::kQuicklistPacked && container != rdb::kQuicklistPlain) {
          r.Fail("Quicklist integrity check failed");
          return Status::kCorrupt;
        }
      }
      if (container == rdb::kQuicklistPlain) {
        std::string s;
        if (!r.String(&s)) return Status::kCorrupt;
        list->PushBack(s);
        continue;
      }
      if (!ReadPacked(r, type == rdb::kListQuicklist2, &items)) return Status::kCorrupt;
      // Redis refuses an empty ziplist node and skips an empty listpack.
      if (items.empty() && type == rdb::kListQuicklist) {
        r.Fail("Empty ziplist node in quicklist");
        return Status::kCorrupt;
      }
      for (const auto& s : items) list->PushBack(s);
    }
  }
  if (list->empty()) return Status::kEmpty;
  out->SetContainer(std::move(list));
  return Status::kOk;
}

Status ReadSet(RdbReader& r, uint8_t type, const RdbLimits& limits, Value* out) {
  SetBuilder b{limits, nullptr};
  if (type == rdb::kSetIntset) {
    std::string blob, why;
    std::vector<int64_t> ints;
    if (!r.String(&blob)) return Status::kCorrupt;
    if (!IntsetRead(blob, &ints, &why)) {
      r.Fail("Invalid " + why);
      return Status::kCorrupt;
    }
    if (ints.empty()) return Status::kEmpty;
    b.s = std::make_unique<Set>(Set::Encoding::kIntset);
    for (int64_t v : ints) {
      if (!b.Add(r, std::to_string(v))) return Status::kCorrupt;
    }
  } else {
    uint64_t n;
    if (!r.Len(&n)) return Status::kCorrupt;
    if (n == 0) return Status::kEmpty;
    if (n > limits.set.max_intset_entries) b.s = std::make_unique<Set>(Set::Encoding::kHashtable);
    std::string m;
    for (uint64_t i = 0; i < n; ++i) {
      if (!r.String(&m) || !b.Add(r, m)) return Status::kCorrupt;
    }
  }
  out->SetContainer(std::move(b.s));
  return Status::kOk;
}

Status ReadHash(RdbReader& r, uint8_t type, const RdbLimits& limits, Value* out) {
  HashBuilder b{limits, std::make_unique<Hash>()};
  if (type == rdb::kHash) {
    uint64_t n;
    if (!r.Len(&n)) return Status::kCorrupt;
    if (n == 0) return Status::kEmpty;
    if (n > limits.hash.max_listpack_entries) b.h->ConvertToTable();
    std::string f, v;
    for (uint64_t i = 0; i < n; ++i) {
      if (!r.String(&f) || !r.String(&v) || !b.Add(r, f, v)) return Status::kCorrupt;
    }
  } else if (type == rdb::kHashZipmap) {
    std::string blob, why;
    if (!r.String(&blob)) return Status::kCorrupt;
    std::vector<std::pair<std::string, std::string>> pairs;
    size_t n;
    if (!ZipmapRead(blob, &n, [&](std::string_view f, std::string_view v) { pairs.emplace_back(f, v); },
                    &why)) {
      r.Fail("Invalid " + why);
      return Status::kCorrupt;
    }
    for (const auto& [f, v] : pairs) {
      if (!b.Add(r, f, v)) return Status::kCorrupt;
    }
  } else {
    std::vector<std::string> items;
    if (!ReadPacked(r, type == rdb::kHashListpack, &items)) return Status::kCorrupt;
    if (items.size() % 2 != 0) {
      r.Fail("Hash listpack with an odd number of entries");
      return Status::kCorrupt;
    }
    for (size_t i = 0; i < items.size(); i += 2) {
      if (!b.Add(r, items[i], items[i + 1])) return Status::kCorrupt;
    }
  }
  if (b.h->Length() == 0) return Status::kEmpty;
  out->SetContainer(std::move(b.h));
  return Status::kOk;
}

Status ReadZSet(RdbReader& r, uint8_t type, const RdbLimits& limits, Value* out) {
  if (type == rdb::kZSet || type == rdb::kZSet2) {
    uint64_t n;
    if (!r.Len(&n)) return Status::kCorrupt;
    if (n == 0) return Status::kEmpty;
    ZSetBuilder b(limits, n);
    std::string m;
    for (uint64_t i = 0; i < n; ++i) {
      double score;
      if (!r.String(&m)) return Status::kCorrupt;
      if (!(type == rdb::kZSet2 ? r.BinaryDouble(&score) : r.StringDouble(&score))) {
        return Status::kCorrupt;
      }
      if (!b.Add(r, m, score)) return Status::kCorrupt;
    }
    b.Finish(out);
    return Status::kOk;
  }
  std::vector<std::string> items;
  if (!ReadPacked(r, type == rdb::kZSetListpack, &items)) return Status::kCorrupt;
  if (items.size() % 2 != 0) {
    r.Fail("Zset listpack with an odd number of entries");
    return Status::kCorrupt;
  }
  if (items.empty()) return Status::kEmpty;
  ZSetBuilder b(limits, items.size() / 2);
  for (size_t i = 0; i < items.size(); i += 2) {
    double score;
    if (!ParseScore(items[i + 1], &score)) {
      r.Fail("Invalid zset score");
      return Status::kCorrupt;
    }
    if (!b.Add(r, items[i], score)) return Status::kCorrupt;
  }
  b.Finish(out);
  return Status::kOk;
}

}  // namespace

RdbValueStatus RdbReadValue(RdbReader& r, uint8_t type, const RdbLimits& limits, Value* out) {
  switch (type) {
    case rdb::kString: {
      std::string s;
      if (!r.String(&s)) return Status::kCorrupt;
      out->SetString(s);
      return Status::kOk;
    }
    case rdb::kList:
    case rdb::kListZiplist:
    case rdb::kListQuicklist:
    case rdb::kListQuicklist2:
      return ReadList(r, type, out);
    case rdb::kSet:
    case rdb::kSetIntset:
      return ReadSet(r, type, limits, out);
    case rdb::kHash:
    case rdb::kHashZipmap:
    case rdb::kHashZiplist:
    case rdb::kHashListpack:
      return ReadHash(r, type, limits, out);
    case rdb::kZSet:
    case rdb::kZSet2:
    case rdb::kZSetZiplist:
    case rdb::kZSetListpack:
      return ReadZSet(r, type, limits, out);
    case rdb::kModule:
    case rdb::kModule2:
      r.Fail("Module values are not supported");
      return Status::kCorrupt;
    case rdb::kStreamListpacks:
    case rdb::kStreamListpacks2:
      r.Fail("Stream values are not supported");
      return Status::kCorrupt;
    default:
      r.Fail("Unknown RDB encoding type " + std::to_string(type));
      return Status::kCorrupt;
  }
}

}  // namespace grabkv::storage

namespace grabkv::storage {

void RdbAppendPayloadFooter(RdbWriter& w) {
  w.Byte(static_cast<uint8_t>(kRdbVersion & 0xff));
  w.Byte(static_cast<uint8_t>(kRdbVersion >> 8));
  w.U64LE(Crc64(0, w.buffer().data(), w.buffer().size()));
}

std::string RdbDumpPayload(const Value& v, bool compress) {
  RdbWriter w(compress);
  w.Byte(RdbTypeOf(v));
  RdbWriteValue(w, v);
  RdbAppendPayloadFooter(w);
  return std::move(w.buffer());
}

bool RdbVerifyPayload(std::string_view p, std::string_view* body) {
  if (p.size() < 10) return false;
  const auto* footer = reinterpret_cast<const unsigned char*>(p.data() + p.size() - 10);
  int version = footer[0] | (footer[1] << 8);
  if (version > kRdbVersion) return false;
  uint64_t crc = 0;
  for (int i = 9; i >= 2; --i) crc = (crc << 8) | footer[i];
  if (Crc64(0, p.data(), p.size() - 8) != crc) return false;
  *body = p.substr(0, p.size() - 10);
  return true;
}

bool RdbLoadPayloadBody(std::string_view body, const RdbLimits& limits, Value* out) {
  RdbReader r(body);
  uint8_t type;
  if (!r.Byte(&type) || !RdbIsValueType(type)) return false;
  return RdbReadValue(r, type, limits, out) == RdbValueStatus::kOk;
}

}  // namespace grabkv::storage
