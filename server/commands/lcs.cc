// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest
// common subsequence of two strings (Redis 7.0 t_string.c lcsCommand).
//
// The classic dynamic-programming table of LCS lengths, then a walk back
// from its far corner that yields the subsequence and, for IDX, the matched
// ranges from the end of the strings towards their start. The walk prefers
// the same direction as Redis on ties, so the subsequence and the ranges
// are Redis's. The table (4 bytes a cell) must fit in proto-max-bulk-len.
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"

namespace grabkv::server {

namespace {

struct LcsOptions {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
};

struct LcsRange {
  uint32_t a_start, a_end, b_start, b_end;
};

// The table, its length and the walk back. Ranges come out last first, as
// Redis emits them; those shorter than min_len are left out.
class LcsTable {
 public:
  LcsTable(std::string_view a, std::string_view b) : a_(a), b_(b), cols_(b.size() + 1) {}

  bool Allocate() {
    const size_t cells = (a_.size() + 1) * cols_;
    cells_.reset(new (std::nothrow) uint32_t[cells]);
    return cells_ != nullptr;
  }

  void Fill() {
    for (size_t i = 0; i <= a_.size(); ++i) {
      for (size_t j = 0; j <= b_.size(); ++j) {
        uint32_t v = 0;
        if (i > 0 && j > 0) {
          v = a_[i - 1] == b_[j - 1] ? At(i - 1, j - 1) + 1 : std::max(At(i - 1, j), At(i, j - 1));
        }
        At(i, j) = v;
      }
    }
  }

  uint32_t Length() const { return At(a_.size(), b_.size()); }

  // Walks back; fills *subseq and *ranges.
  void Walk(int64_t min_len, std::string* subseq, std::vector<LcsRange>* ranges) const {
    uint32_t k = Length();
    subseq->assign(k, '\0');
    size_t i = a_.size(), j = b_.size();
    bool open = false;
    LcsRange cur{};
    auto emit = [&] {
      const int64_t len = static_cast<int64_t>(cur.a_end) - cur.a_start + 1;
      if (min_len == 0 || len >= min_len) ranges->push_back(cur);
      open = false;
    };
    while (i > 0 && j > 0) {
      if (a_[i - 1] == b_[j - 1]) {
        (*subseq)[--k] = a_[i - 1];
        if (!open) {
          cur = {static_cast<uint32_t>(i - 1), static_cast<uint32_t>(i - 1),
                 static_cast<uint32_t>(j - 1), static_cast<uint32_t>(j - 1)};
          open = true;
        } else {  // contiguous with the range being built: extend it backwards
          --cur.a_start;
          --cur.b_start;
        }
        --i;
        --j;
        if (cur.a_start == 0 || cur.b_start == 0) emit();
      } else {
        if (At(i - 1, j) > At(i, j - 1)) {
          --i;
        } else {
          --j;
        }
        if (open) emit();
      }
    }
  }

 private:
  uint32_t& At(size_t i, size_t j) { return cells_[i * cols_ + j]; }
  uint32_t At(size_t i, size_t j) const { return cells_[i * cols_ + j]; }

  std::string_view a_, b_;
  size_t cols_;
  std::unique_ptr<uint32_t[]> cells_;
};

// Parses the options; false after replying the error.
bool ParseLcsOptions(CommandContext& ctx, LcsOptions* o) {
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const std::string_view opt = ctx.arg(j);
    const bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "IDX")) {
      o->idx = true;
    } else if (EqualsIgnoreCase(opt, "LEN")) {
      o->len = true;
    } else if (EqualsIgnoreCase(opt, "WITHMATCHLEN")) {
      o->with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "MINMATCHLEN") && more) {
      if (!ParseInt64(ctx.arg(++j), &o->min_match_len)) {
        ctx.reply.Error(errors::kNotInteger);
        return false;
      }
      if (o->min_match_len < 0) o->min_match_len = 0;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  if (o->idx && o->len) {
    ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
    return false;
  }
  return true;
}

void ReplyRanges(CommandContext& ctx, const std::vector<LcsRange>& ranges, bool with_len,
                 uint32_t total) {
  auto& r = ctx.reply;
  r.MapHeader(2);
  r.Bulk("matches");
  r.ArrayHeader(ranges.size());
  for (const LcsRange& m : ranges) {
    r.ArrayHeader(with_len ? 3 : 2);
    r.ArrayHeader(2);
    r.Integer(m.a_start);
    r.Integer(m.a_end);
    r.ArrayHeader(2);
    r.Integer(m.b_start);
    r.Integer(m.b_end);
    if (with_len) r.Integer(static_cast<int64_t>(m.a_end) - m.a_start + 1);
  }
  r.Bulk("len");
  r.Integer(total);
}

void CmdLcs(CommandContext& ctx) {
  std::string scratch[2];
  std::string_view s[2];
  for (int k = 0; k < 2; ++k) {
    storage::Db::Entry* e = ctx.db().FindRead(ctx.arg(1 + k), ctx.now_ms);
    if (e == nullptr) continue;
    if (!e->value.is_string())
      return ctx.reply.Error("ERR The specified keys must contain string values");
    // Copied: the second lookup may expire a key and move the first value.
    std::string int_text;  // an int-encoded value is formatted here
    scratch[k].assign(e->value.GetString(&int_text));
    s[k] = scratch[k];
  }
  LcsOptions opt;
  if (!ParseLcsOptions(ctx, &opt)) return;
  if (s[0].size() >= UINT32_MAX - 1 || s[1].size() >= UINT32_MAX - 1)
    return ctx.reply.Error("ERR String too long for LCS");
  const uint64_t bytes = (s[0].size() + 1) * (s[1].size() + 1) * sizeof(uint32_t);
  if (bytes > static_cast<uint64_t>(ctx.server.config().proto_max_bulk_len)) {
    return ctx.reply.Error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  LcsTable table(s[0], s[1]);
  if (!table.Allocate())
    return ctx.reply.Error("ERR Insufficient memory, failed allocating transient memory for LCS");
  table.Fill();
  if (opt.len && !opt.idx) return ctx.reply.Integer(table.Length());
  std::string subseq;
  std::vector<LcsRange> ranges;
  table.Walk(opt.min_match_len, &subseq, &ranges);
  if (opt.idx) return ReplyRanges(ctx, ranges, opt.with_match_len, table.Length());
  ctx.reply.Bulk(subseq);
}

}  // namespace

// Row checked against redis-server 7.0.15 COMMAND INFO / COMMAND DOCS.
void RegisterLcs(CommandTable& t) {
  CommandFamily f(t, "string", kAclString);
  f.Add({.name = "lcs", .arity = -3, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1, .lastkey = 1}}, .handler = CmdLcs,
         .summary = "Find longest common substring", .since = "7.0.0"});
}

}  // namespace grabkv::server
