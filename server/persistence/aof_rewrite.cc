// WriteSnapshot: the compact file a rewrite produces (the data as commands).
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <string_view>

#include "server/persistence/aof.h"
#include "server/scripting/lua_engine.h"
#include "server/core/server_state.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace grabkv::server {

namespace {

// Elements per command, as Redis's AOF_REWRITE_ITEMS_PER_CMD.
constexpr size_t kItemsPerCommand = 64;
// Buffered output, written in pieces of about this size; fsynced every
// kFsyncEvery bytes so the final fsync does not stall on gigabytes
// (Redis's aof-rewrite-incremental-fsync).
constexpr size_t kFlushAt = 64 * 1024;
constexpr size_t kFsyncEvery = 4 * 1024 * 1024;

class SnapshotWriter {
 public:
  explicit SnapshotWriter(int fd) : fd_(fd) {}

  bool ok() const { return ok_; }

  void Command(std::initializer_list<std::string_view> argv) {
    Propagator::AppendCommand(&buf_, std::span<const std::string_view>(argv.begin(), argv.size()));
    MaybeFlush();
  }

  // One command in pieces: "<name> <key>" then items, at most
  // kItemsPerCommand (counting a pair as one item) per command.
  class Batched {
   public:
    Batched(SnapshotWriter* w, std::string_view name, std::string_view key, size_t total,
            size_t per_item)
        : w_(w), name_(name), key_(key), left_(total), per_item_(per_item) {}
    void Item(std::string_view a) { Add({a}); }
    void Item(std::string_view a, std::string_view b) { Add({a, b}); }

   private:
    void Add(std::initializer_list<std::string_view> parts) {
      if (in_cmd_ == 0) {
        size_t n = left_ < kItemsPerCommand ? left_ : kItemsPerCommand;
        w_->Header('*', 2 + n * per_item_);
        w_->Bulk(name_);
        w_->Bulk(key_);
        in_cmd_ = n;
      }
      for (std::string_view p : parts) w_->Bulk(p);
      --left_;
      if (--in_cmd_ == 0) w_->MaybeFlush();
    }
    SnapshotWriter* w_;
    std::string_view name_, key_;
    size_t left_, per_item_, in_cmd_ = 0;
  };

  bool Finish() {
    Flush();
    return ok_;
  }

 private:
  friend class Batched;
  void Header(char type, size_t n) {
    char tmp[24];
    tmp[0] = type;
    auto r = std::to_chars(tmp + 1, tmp + sizeof(tmp) - 2, n);
    *r.ptr++ = '\r';
    *r.ptr++ = '\n';
    buf_.append(tmp, static_cast<size_t>(r.ptr - tmp));
  }
  void Bulk(std::string_view s) {
    Header('$', s.size());
    buf_.append(s);
    buf_.append("\r\n", 2);
  }
  void MaybeFlush() {
    if (buf_.size() >= kFlushAt) Flush();
  }
  void Flush() {
    size_t off = 0;
    while (ok_ && off < buf_.size()) {
      ssize_t w = ::write(fd_, buf_.data() + off, buf_.size() - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        ok_ = false;
        break;
      }
      off += static_cast<size_t>(w);
    }
    since_fsync_ += off;
    buf_.clear();
    if (ok_ && since_fsync_ >= kFsyncEvery) {
      if (::fdatasync(fd_) != 0) ok_ = false;
      since_fsync_ = 0;
    }
  }

  int fd_;
  bool ok_ = true;
  std::string buf_;
  size_t since_fsync_ = 0;
};

void WriteValue(SnapshotWriter& w, std::string_view key, const storage::Value& v) {
  using storage::ValueType;
  switch (v.type()) {
    case ValueType::kString: {
      std::string scratch;
      w.Command({"SET", key, v.GetString(&scratch)});
      break;
    }
    case ValueType::kList: {
      const auto* l = v.As<storage::List>();
      SnapshotWriter::Batched b(&w, "RPUSH", key, l->size(), 1);
      for (auto it = l->Begin(); it.Valid(); it.Next()) b.Item(it.value());
      break;
    }
    case ValueType::kHash: {
      const auto* h = v.As<storage::Hash>();
      SnapshotWriter::Batched b(&w, "HMSET", key, h->Length(), 2);
      h->ForEach([&](std::string_view f, std::string_view val) { b.Item(f, val); });
      break;
    }
    case ValueType::kSet: {
      const auto* s = v.As<storage::Set>();
      SnapshotWriter::Batched b(&w, "SADD", key, s->Length(), 1);
      s->ForEach([&](std::string_view m) { b.Item(m); });
      break;
    }
    case ValueType::kZSet: {
      const auto* z = v.As<storage::ZSet>();
      SnapshotWriter::Batched b(&w, "ZADD", key, z->Length(), 2);
      for (auto it = z->Begin(); it.Valid(); it.Next()) {
        std::string score = protocol::FormatDouble(it.score());
        b.Item(score, it.member());
      }
      break;
    }
  }
}

}  // namespace

bool WriteSnapshot(ServerState& server, int fd, int64_t now_ms) {
  SnapshotWriter w(fd);
  // Functions first: keys never depend on them, but scripts run later do.
  for (const auto& [name, lib] : scripting::Lua(server).libraries()) {
    w.Command({"FUNCTION", "LOAD", lib.code});
  }
  for (storage::Db& db : server.dbs()) {
    if (db.size() == 0) continue;
    std::string index = std::to_string(db.index());
    w.Command({"SELECT", index});
    db.table().ForEach([&](const storage::Db::Entry* e) {
      if (!w.ok()) return;
      int64_t when = (e->flags & storage::Db::kHasExpire) ? db.GetExpire(e) : -1;
      if (when != -1 && when <= now_ms) return;  // already expired: leave it out
      WriteValue(w, e->key(), e->value);
      if (when != -1) {
        std::string ms = std::to_string(when);
        w.Command({"PEXPIREAT", e->key(), ms});
      }
    });
  }
  return w.Finish();
}

}  // namespace grabkv::server
