#include "storage/zset.h"

#include <cmath>
#include <utility>

namespace grabkv::storage {

// --- ranges ---

bool ZLexRange::AboveMin(std::string_view m) const {
  switch (min.kind) {
    case ZLexBound::Kind::kNegInf:
      return true;
    case ZLexBound::Kind::kPosInf:
      return false;
    case ZLexBound::Kind::kValue:
      break;
  }
  const int c = CompareMembers(m, min.value);
  return min.exclusive ? c > 0 : c >= 0;
}

bool ZLexRange::BelowMax(std::string_view m) const {
  switch (max.kind) {
    case ZLexBound::Kind::kNegInf:
      return false;
    case ZLexBound::Kind::kPosInf:
      return true;
    case ZLexBound::Kind::kValue:
      break;
  }
  const int c = CompareMembers(m, max.value);
  return max.exclusive ? c < 0 : c <= 0;
}

bool ZLexRange::Empty() const {
  using Kind = ZLexBound::Kind;
  int c;
  if (min.kind == max.kind && min.kind != Kind::kValue) {
    c = 0;
  } else if (min.kind == Kind::kNegInf || max.kind == Kind::kPosInf) {
    c = -1;
  } else if (min.kind == Kind::kPosInf || max.kind == Kind::kNegInf) {
    c = 1;
  } else {
    c = CompareMembers(min.value, max.value);
  }
  return c > 0 || (c == 0 && (min.exclusive || max.exclusive));
}

// --- construction ---

ZSet::ZSet(Encoding enc) : enc_(enc) {
  if (enc == Encoding::kSkiplist) big_ = std::make_unique<Big>();
}

ZSet::~ZSet() = default;

std::unique_ptr<ZSet> ZSet::ForFirstMember(size_t member_len, const ZSetLimits& limits) {
  const bool fits = limits.max_listpack_entries > 0 && member_len <= limits.max_listpack_value;
  return std::make_unique<ZSet>(fits ? Encoding::kListpack : Encoding::kSkiplist);
}

std::unique_ptr<ZSet> ZSet::ForSize(size_t size_hint, const ZSetLimits& limits) {
  return std::make_unique<ZSet>(size_hint > limits.max_listpack_entries ? Encoding::kSkiplist
                                                                         : Encoding::kListpack);
}

std::unique_ptr<Container> ZSet::Clone() const {
  auto z = std::make_unique<ZSet>(enc_);
  if (!big_) {
    z->lp_ = ZListpack(lp_);
    return z;
  }
  // In order: every insert appends, which leaves the tree's leaves full.
  for (auto it = big_->tree.Begin(); it.Valid(); it.Next()) {
    auto* e = z->big_->dict.Insert(it->entry->key()).first;
    e->value = it->score;
    z->big_->tree.Insert(Slot{it->score, e});
  }
  return z;
}

size_t ZSet::MemoryUsage() const {
  if (!big_) return sizeof(ZSet) + lp_.MemoryUsage();
  return sizeof(ZSet) + sizeof(Big) + big_->dict.MemoryUsage() + big_->tree.MemoryUsage();
}

// --- members ---

ZSet::AddResult ZSet::Add(std::string_view member, double score, unsigned flags,
                          const ZSetLimits& limits, double* new_score) {
  const bool incr = flags & kAddIncr, nx = flags & kAddNx, xx = flags & kAddXx;
  const bool gt = flags & kAddGt, lt = flags & kAddLt;
  if (std::isnan(score)) return AddResult::kNaN;

  // An existing member: NX skips it, INCR adds to its score, GT/LT compare.
  auto update = [&](double cur, double* out) -> AddResult {
    if (nx) return AddResult::kSkipped;
    if (incr) {
      score += cur;
      if (std::isnan(score)) return AddResult::kNaN;
    }
    if ((lt && score >= cur) || (gt && score <= cur)) return AddResult::kSkipped;
    *out = score;
    return score != cur ? AddResult::kUpdated : AddResult::kUnchanged;
  };

  if (!big_) {
    const size_t pos = lp_.Find(member);
    if (pos != ZListpack::kNpos) {
      AddResult r = update(lp_.Score(pos), new_score);
      if (r == AddResult::kUpdated) {
        lp_.Erase(pos);
        lp_.Insert(ListpackScore(score), member);
      }
      return r;
    }
    if (xx) return AddResult::kSkipped;
    if (lp_.size() + 1 <= limits.max_listpack_entries &&
        member.size() <= limits.max_listpack_value &&
        lp_.bytes() + member.size() + 32 <= kMaxListpackBytes) {
      lp_.Insert(ListpackScore(score), member);
      *new_score = score;
      return AddResult::kAdded;
    }
    ConvertToSkiplist();
  }

  MemberDict::Entry* e = big_->dict.Find(member);
  if (e != nullptr) {
    const double cur = e->value;
    AddResult r = update(cur, new_score);
    if (r == AddResult::kUpdated) {
      big_->tree.Erase(Slot{cur, e});
      e->value = score;
      big_->tree.Insert(Slot{score, e});
    }
    return r;
  }
  if (xx) return AddResult::kSkipped;
  e = big_->dict.Insert(member).first;
  e->value = score;
  big_->tree.Insert(Slot{score, e});
  *new_score = score;
  return AddResult::kAdded;
}

bool ZSet::Remove(std::string_view member) {
  if (!big_) {
    const size_t pos = lp_.Find(member);
    if (pos == ZListpack::kNpos) return false;
    lp_.Erase(pos);
    return true;
  }
  MemberDict::Entry* e = big_->dict.Find(member);
  if (e == nullptr) return false;
  big_->tree.Erase(Slot{e->value, e});
  big_->dict.Erase(member);
  return true;
}

bool ZSet::Score(std::string_view member, double* score) const {
  if (!big_) {
    const size_t pos = lp_.Find(member);
    if (pos == ZListpack::kNpos) return false;
    *score = lp_.Score(pos);
    return true;
  }
  const MemberDict::Entry* e = std::as_const(big_->dict).Find(member);
  if (e == nullptr) return false;
  *score = e->value;
  return true;
}

int64_t ZSet::Rank(std::string_view member, bool reverse) const {
  size_t rank;
  if (!big_) {
    if (lp_.Find(member, &rank) == ZListpack::kNpos) return -1;
  } else {
    const MemberDict::Entry* e = std::as_const(big_->dict).Find(member);
    if (e == nullptr) return -1;
    big_->tree.Find(Slot{e->value, e}, &rank);
  }
  return static_cast<int64_t>(reverse ? size() - 1 - rank : rank);
}

// --- ordered access ---

ZSet::Iterator ZSet::Begin() const {
  Iterator it;
  it.z_ = this;
  if (big_) {
    it.it_ = big_->tree.Begin();
  } else {
    it.pos_ = lp_.First();
  }
  return it;
}

ZSet::Iterator ZSet::Last() const {
  Iterator it;
  it.z_ = this;
  if (big_) {
    it.it_ = big_->tree.Last();
  } else {
    it.pos_ = lp_.Last();
  }
  return it;
}

ZSet::Iterator ZSet::AtRank(size_t rank) const {
  Iterator it;
  it.z_ = this;
  if (big_) {
    it.it_ = big_->tree.AtRank(rank);
  } else {
    it.pos_ = lp_.AtRank(rank);
  }
  return it;
}

namespace {

// A range's span in a listpack, walking from the head: skips the entries
// below the range's min, then counts those within its max. key(pos) is the
// score or member the range bounds.
template <typename Range, typename Key>
ZSet::Span ListpackForwardSpan(const ZListpack& lp, const Range& r, Key key) {
  ZSet::Span span;
  size_t rank = 0;
  size_t pos = lp.First();
  while (pos != ZListpack::kNpos && !r.AboveMin(key(pos))) {
    pos = lp.Next(pos);
    ++rank;
  }
  span.first = rank;
  while (pos != ZListpack::kNpos && r.BelowMax(key(pos))) {
    pos = lp.Next(pos);
    ++span.count;
  }
  return span;
}

// A range's span in the tree, by two binary searches. key(slot) is the
// score or member the range bounds.
template <typename Tree, typename Range, typename Key>
ZSet::Span TreeSpan(const Tree& tree, const Range& r, Key key) {
  size_t lo, hi;
  tree.PartitionPoint([&](const auto& s) { return !r.AboveMin(key(s)); }, &lo);
  tree.PartitionPoint([&](const auto& s) { return r.BelowMax(key(s)); }, &hi);
  return ZSet::Span{lo, hi > lo ? hi - lo : 0};
}

}  // namespace

ZSet::Span ZSet::ScoreSpan(const ZScoreRange& r) const {
  if (!big_) return ListpackForwardSpan(lp_, r, [&](size_t pos) { return lp_.Score(pos); });
  return TreeSpan(big_->tree, r, [](const Slot& s) { return s.score; });
}

ZSet::Span ZSet::LexSpan(const ZLexRange& r, bool reverse) const {
  Span span;
  if (r.Empty() || empty()) return span;
  if (big_) return TreeSpan(big_->tree, r, [](const Slot& s) { return s.entry->key(); });
  // Redis's listpack scans (zzlIsInLexRange, zzlFirstInLexRange /
  // zzlLastInLexRange, then a walk while in range), which give the same
  // answer as a search when the members are in order and Redis's answer
  // when they are not.
  if (!r.AboveMin(lp_.Member(lp_.Last())) || !r.BelowMax(lp_.Member(lp_.First()))) return span;
  if (!reverse) return ListpackForwardSpan(lp_, r, [&](size_t pos) { return lp_.Member(pos); });
  size_t rank = lp_.size() - 1;
  size_t pos = lp_.Last();
  while (pos != ZListpack::kNpos && !r.BelowMax(lp_.Member(pos))) {
    pos = lp_.Prev(pos);
    --rank;
  }
  while (pos != ZListpack::kNpos && r.AboveMin(lp_.Member(pos))) {
    pos = lp_.Prev(pos);
    ++span.count;
    span.first = rank--;
  }
  return span;
}

// --- removal ---

void ZSet::RemoveRange(size_t first, size_t count) {
  if (count == 0) return;
  if (!big_) {
    lp_.Erase(lp_.AtRank(first), count);
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    const MemberDict::Entry* e = big_->tree.AtRank(first)->entry;
    big_->tree.EraseAtRank(first);
    // The key view is only read by the lookup, before the entry is freed.
    big_->dict.Erase(e->key());
  }
}

void ZSet::Pop(bool max, std::string* member, double* score) {
  if (!big_) {
    const size_t pos = max ? lp_.Last() : lp_.First();
    member->assign(lp_.Member(pos));
    *score = lp_.Score(pos);
    lp_.Erase(pos);
    return;
  }
  Tree& t = big_->tree;
  const Slot s = max ? *t.Last() : *t.Begin();
  member->assign(s.entry->key());
  *score = s.score;
  t.EraseAtRank(max ? t.size() - 1 : 0);
  big_->dict.Erase(*member);
}

uint64_t ZSet::Scan(uint64_t cursor, const ScanFn& fn) {
  if (!big_) {
    for (size_t pos = lp_.First(); pos != ZListpack::kNpos; pos = lp_.Next(pos)) {
      fn(lp_.Member(pos), lp_.Score(pos));
    }
    return 0;
  }
  return big_->dict.Scan(cursor, [&fn](MemberDict::Entry* e) { fn(e->key(), e->value); });
}

// --- encodings ---

void ZSet::ConvertToSkiplist() {
  if (big_) return;
  auto big = std::make_unique<Big>();
  for (size_t pos = lp_.First(); pos != ZListpack::kNpos; pos = lp_.Next(pos)) {
    auto* e = big->dict.Insert(lp_.Member(pos)).first;
    e->value = lp_.Score(pos);
    big->tree.Insert(Slot{e->value, e});
  }
  lp_ = ZListpack();
  big_ = std::move(big);
  enc_ = Encoding::kSkiplist;
}

void ZSet::ConvertToListpack() {
  if (!big_) return;
  ZListpack lp;
  for (auto it = big_->tree.Begin(); it.Valid(); it.Next()) {
    lp.Append(ListpackScore(it->score), it->entry->key());
  }
  big_.reset();
  lp_ = std::move(lp);
  enc_ = Encoding::kListpack;
}

void ZSet::MaybeConvertToListpack(size_t max_member_len, const ZSetLimits& limits) {
  if (!big_) return;
  if (size() <= limits.max_listpack_entries && max_member_len <= limits.max_listpack_value) {
    ConvertToListpack();
  }
}

bool ZSet::Validate() const {
  if (!big_) {
    if (enc_ != Encoding::kListpack) return false;
    size_t n = 0;
    size_t prev = ZListpack::kNpos;
    for (size_t pos = lp_.First(); pos != ZListpack::kNpos; pos = lp_.Next(pos)) {
      if (prev != ZListpack::kNpos) {
        const double a = lp_.Score(prev), b = lp_.Score(pos);
        if (a > b || (a == b && CompareMembers(lp_.Member(prev), lp_.Member(pos)) >= 0)) {
          return false;
        }
        if (lp_.Prev(pos) != prev) return false;
      }
      prev = pos;
      ++n;
    }
    return n == lp_.size() && prev == lp_.Last();
  }
  if (enc_ != Encoding::kSkiplist || !big_->tree.Validate()) return false;
  if (big_->tree.size() != big_->dict.size()) return false;
  for (auto it = big_->tree.Begin(); it.Valid(); it.Next()) {
    const MemberDict::Entry* e = std::as_const(big_->dict).Find(it->entry->key());
    if (e != it->entry || e->value != it->score) return false;
  }
  return true;
}

}  // namespace grabkv::storage
