#include "server/persistence/rdb.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "server/core/server_state.h"
#include "server/core/version.h"
#include "server/scripting/lua_engine.h"
#include "storage/crc64.h"
#include "storage/db.h"
#include "storage/rdb_format.h"
#include "storage/rdb_value.h"

namespace grabkv::server {

namespace {

namespace rdb = storage::rdb;

// Buffered output, written (and checksummed) in pieces of about this size.
constexpr size_t kFlushAt = 64 * 1024;
constexpr size_t kFsyncEvery = 4 * 1024 * 1024;

class FileSink {
 public:
  FileSink(int fd, bool checksum) : fd_(fd), checksum_(checksum) {}
  bool Flush(std::string& buf) {
    if (checksum_) crc_ = storage::Crc64(crc_, buf.data(), buf.size());
    size_t off = 0;
    while (off < buf.size()) {
      ssize_t w = ::write(fd_, buf.data() + off, buf.size() - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      off += static_cast<size_t>(w);
    }
    since_fsync_ += buf.size();
    buf.clear();
    if (since_fsync_ >= kFsyncEvery) {
      since_fsync_ = 0;
      if (::fdatasync(fd_) != 0) return false;
    }
    return true;
  }
  uint64_t crc() const { return crc_; }

 private:
  int fd_;
  bool checksum_;
  uint64_t crc_ = 0;
  size_t since_fsync_ = 0;
};

uint64_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, rss = 0;
  if (std::fscanf(f, "%llu %llu", &size, &rss) != 2) rss = 0;
  std::fclose(f);
  return rss * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

void Aux(storage::RdbWriter& w, std::string_view key, std::string_view value) {
  w.Byte(rdb::kOpAux);
  w.String(key);
  w.String(value);
}

}  // namespace

bool RdbWrite(ServerState& server, int fd, int64_t now_ms, std::string* err) {
  const Config& cfg = server.config();
  storage::RdbWriter w(cfg.rdbcompression);
  FileSink sink(fd, cfg.rdbchecksum);
  std::string& buf = w.buffer();
  char magic[16];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", storage::kRdbVersion);
  w.Raw(magic);
  Aux(w, "redis-ver", kRedisCompatVersion);
  Aux(w, "redis-bits", sizeof(void*) == 8 ? "64" : "32");
  Aux(w, "ctime", std::to_string(now_ms / 1000));
  Aux(w, "used-mem", std::to_string(ResidentBytes()));
  Aux(w, "aof-base", "0");
  for (const auto& [name, lib] : scripting::Lua(server).libraries()) {
    w.Byte(rdb::kOpFunction2);
    w.String(lib.code);
  }
  bool ok = true;
  for (storage::Db& db : server.dbs()) {
    if (db.size() == 0) continue;
    w.Byte(rdb::kOpSelectDb);
    w.Len(static_cast<uint64_t>(db.index()));
    w.Byte(rdb::kOpResizeDb);
    w.Len(db.size());
    w.Len(db.expires_size());
    db.table().ForEach([&](const storage::Db::Entry* e) {
      if (!ok) return;
      int64_t when = (e->flags & storage::Db::kHasExpire) ? db.GetExpire(e) : -1;
      if (when != -1 && when <= now_ms) return;  // already expired: left out
      if (when != -1) {
        w.Byte(rdb::kOpExpireTimeMs);
        w.U64LE(static_cast<uint64_t>(when));
      }
      w.Byte(storage::RdbTypeOf(e->value));
      w.String(e->key());
      storage::RdbWriteValue(w, e->value);
      if (buf.size() >= kFlushAt) ok = sink.Flush(buf);
    });
    if (!ok) break;
  }
  if (ok) {
    w.Byte(rdb::kOpEof);
    ok = sink.Flush(buf);
  }
  if (ok) {
    // The checksum covers everything before it (0 = written without one).
    storage::RdbWriter tail;
    tail.U64LE(cfg.rdbchecksum ? sink.crc() : 0);
    FileSink raw(fd, false);
    ok = raw.Flush(tail.buffer());
  }
  if (!ok) *err = std::string("Write error saving DB on disk: ") + std::strerror(errno);
  return ok;
}

bool RdbSaveToPath(ServerState& server, const std::string& path, const std::string& temp_name,
                   int64_t now_ms, std::string* err) {
  std::string dir = ".";
  std::string tmp = temp_name;
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = path.substr(0, slash == 0 ? 1 : slash);
    tmp = path.substr(0, slash + 1) + temp_name;
  }
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *err = "Failed opening the temp RDB file " + temp_name + " (in server root dir " + dir +
           ") for saving: " + std::strerror(errno);
    return false;
  }
  bool ok = RdbWrite(server, fd, now_ms, err);
  if (ok && ::fsync(fd) != 0) {
    *err = std::string("Write error saving DB on disk: ") + std::strerror(errno);
    ok = false;
  }
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    *err = "Error moving temp DB file " + temp_name + " on the final destination " + path + ": " +
           std::strerror(errno);
    ok = false;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return false;
  }
  // The rename itself is durable only once the directory is synced.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

namespace {

// What a file holds, parsed but not yet installed.
struct Staged {
  std::vector<std::string> libraries;
  std::vector<std::unique_ptr<storage::Db>> dbs;  // by index, null when unused
  RdbLoadStats stats;
};

// Redis's wording: a file cut short, or an error at a byte offset.
std::string LoadError(const storage::RdbReader& r) {
  if (r.truncated()) {
    return "Short read or OOM loading DB. Unrecoverable error, aborting now. (the file ends at "
           "offset " + std::to_string(r.error_offset()) + ")";
  }
  return "Internal error in RDB reading offset " + std::to_string(r.error_offset()) + " -> " +
         r.error_what();
}

bool Parse(ServerState& server, std::string_view data, int64_t now_ms, Staged* st, std::string* err) {
  storage::RdbReader r(data);
  auto fail = [&](std::string_view what) {
    r.Fail(what);
    *err = LoadError(r);
    return false;
  };
  std::string_view magic;
  if (!r.Raw(9, &magic)) {
    *err = LoadError(r);
    return false;
  }
  if (magic.substr(0, 5) != "REDIS") {
    *err = "Wrong signature trying to load DB from file";
    return false;
  }
  int version = 0;
  for (char c : magic.substr(5)) {
    if (c < '0' || c > '9') {
      *err = "Wrong signature trying to load DB from file";
      return false;
    }
    version = version * 10 + (c - '0');
  }
  if (version < 1 || version > storage::kRdbVersion) {
    *err = "Can't handle RDB format version " + std::to_string(version);
    return false;
  }
  const Config& cfg = server.config();
  storage::RdbLimits limits;
  limits.hash = {static_cast<size_t>(cfg.hash_max_listpack_entries),
                 static_cast<size_t>(cfg.hash_max_listpack_value)};
  limits.set = {static_cast<size_t>(cfg.set_max_intset_entries)};
  limits.zset = {static_cast<size_t>(cfg.zset_max_listpack_entries),
                 static_cast<size_t>(cfg.zset_max_listpack_value)};
  const size_t num_dbs = server.dbs().size();
  st->dbs.resize(num_dbs);
  size_t db = 0;
  int64_t expire = -1;
  std::string key, s1, s2;
  while (true) {
    uint8_t type;
    if (!r.Byte(&type)) break;
    switch (type) {
      case rdb::kOpExpireTime: {
        uint32_t sec;
        if (!r.U32LE(&sec)) break;
        expire = static_cast<int64_t>(sec) * 1000;
        continue;
      }
      case rdb::kOpExpireTimeMs: {
        uint64_t ms;
        if (!r.U64LE(&ms)) break;
        expire = static_cast<int64_t>(ms);
        continue;
      }
      case rdb::kOpFreq: {
        uint8_t f;
        r.Byte(&f);  // LFU counter: grabkv keeps none
        continue;
      }
      case rdb::kOpIdle: {
        uint64_t idle;
        r.Len(&idle);  // LRU idle time: grabkv keeps none
        continue;
      }
      case rdb::kOpEof:
        break;
      case rdb::kOpSelectDb: {
        uint64_t n;
        if (!r.Len(&n)) break;
        if (n >= num_dbs) {
          *err = "FATAL: Data file was created with a Redis server configured to handle more than " +
                 std::to_string(num_dbs) + " databases. Exiting";
          return false;
        }
        db = n;
        continue;
      }
      case rdb::kOpResizeDb: {
        uint64_t a, b;
        (void)(r.Len(&a) && r.Len(&b));  // sizing hints only
        continue;
      }
      case rdb::kOpAux:
        (void)(r.String(&s1) && r.String(&s2));  // informational; unknown fields skipped
        continue;
      case rdb::kOpFunction2:
        if (r.String(&s1)) st->libraries.push_back(s1);
        continue;
      case rdb::kOpFunctionPreGa:
        return fail("Pre-release function format not supported");
      case rdb::kOpModuleAux:
        return fail("The RDB file contains AUX module data I can't load: no matching module");
      default: {
        if (!storage::RdbIsValueType(type) && type != rdb::kModule && type != rdb::kModule2 &&
            type != rdb::kStreamListpacks && type != rdb::kStreamListpacks2) {
          return fail("Unknown RDB encoding type " + std::to_string(type));
        }
        if (!r.String(&key)) break;
        storage::Value v;
        auto status = storage::RdbReadValue(r, type, limits, &v);
        if (status == storage::RdbValueStatus::kCorrupt) break;
        int64_t when = expire;
        expire = -1;
        if (status == storage::RdbValueStatus::kEmpty) continue;  // Redis skips empty keys
        if (when != -1 && when <= now_ms) {
          ++st->stats.keys_expired;
          continue;
        }
        if (st->dbs[db] == nullptr) st->dbs[db] = std::make_unique<storage::Db>(-1);
        storage::Db& sdb = *st->dbs[db];
        if (sdb.Find(key, now_ms) != nullptr) {
          *err = "RDB has duplicated key '" + key + "' in DB " + std::to_string(db);
          return false;
        }
        storage::Db::Entry* e = sdb.Set(key, std::move(v), now_ms);
        if (when != -1) sdb.SetExpire(e, when);
        ++st->stats.keys_loaded;
        continue;
      }
    }
    if (!r.ok() || type == rdb::kOpEof) break;
  }
  if (!r.ok()) {
    *err = LoadError(r);
    return false;
  }
  // The CRC-64 of everything before it (RDB 5 and later); 0 = not written.
  if (version >= 5) {
    size_t covered = r.pos();
    uint64_t stored;
    if (!r.U64LE(&stored)) {
      *err = LoadError(r);
      return false;
    }
    if (stored != 0 && cfg.rdbchecksum) {
      uint64_t expected = storage::Crc64(0, data.data(), covered);
      if (expected != stored) {
        char buf[128];
        std::snprintf(buf, sizeof(buf), "Wrong RDB checksum expected: (%llx) got: (%llx). Aborting now.",
                      static_cast<unsigned long long>(stored), static_cast<unsigned long long>(expected));
        *err = buf;
        return false;
      }
    }
  }
  return true;
}

}  // namespace

bool RdbLoad(ServerState& server, std::string_view data, int64_t now_ms, bool merge,
             RdbLoadStats* stats, std::string* err) {
  Staged st;
  if (!Parse(server, data, now_ms, &st, err)) return false;
  // Keys already present are checked before anything is installed.
  for (size_t i = 0; i < st.dbs.size() && !merge; ++i) {
    if (st.dbs[i] == nullptr || server.db(static_cast<int>(i)).size() == 0) continue;
    storage::Db& target = server.db(static_cast<int>(i));
    std::string dup;
    st.dbs[i]->table().ForEach([&](const storage::Db::Entry* e) {
      if (dup.empty() && target.Find(e->key(), now_ms) != nullptr) dup = std::string(e->key());
    });
    if (!dup.empty()) {
      *err = "RDB has duplicated key '" + dup + "' in DB " + std::to_string(i);
      return false;
    }
  }
  // Functions first, undone if one fails, so nothing is left half-loaded.
  auto& lua = scripting::Lua(server);
  std::vector<std::string> loaded;
  for (const std::string& code : st.libraries) {
    std::string name, lerr;
    if (!lua.LoadLibrary(code, /*replace=*/merge, &name, &lerr)) {
      for (const std::string& n : loaded) lua.DeleteLibrary(n);
      *err = "Failed loading library from the RDB file: " + lerr;
      return false;
    }
    loaded.push_back(name);
  }
  for (size_t i = 0; i < st.dbs.size(); ++i) {
    if (st.dbs[i] == nullptr) continue;
    storage::Db& target = server.db(static_cast<int>(i));
    if (target.size() == 0) {
      target.SwapContents(*st.dbs[i]);
      continue;
    }
    // A database that already holds keys (not the case at start): move the
    // staged keys over one by one.
    storage::Db& src = *st.dbs[i];
    src.table().ForEach([&](storage::Db::Entry* e) {
      int64_t when = (e->flags & storage::Db::kHasExpire) ? src.GetExpire(e) : -1;
      storage::Db::Entry* t = target.Set(e->key(), std::move(e->value), now_ms);
      if (when != -1) target.SetExpire(t, when);
    });
  }
  if (stats != nullptr) *stats = st.stats;
  return true;
}

bool RdbLoadFile(ServerState& server, const std::string& path, int64_t now_ms, bool merge,
                 RdbLoadStats* stats, bool* missing, std::string* err) {
  *missing = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      *missing = true;
      return true;
    }
    *err = "Fatal error loading the DB: " + std::string(std::strerror(errno)) + ". Exiting.";
    return false;
  }
  std::string data;
  struct stat sb;
  if (::fstat(fd, &sb) == 0 && sb.st_size > 0) data.reserve(static_cast<size_t>(sb.st_size));
  char chunk[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR) continue;
      *err = "Fatal error loading the DB: " + std::string(std::strerror(errno)) + ". Exiting.";
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    data.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  const bool was_loading = server.loading;
  server.loading = true;
  const bool ok = RdbLoad(server, data, now_ms, merge, stats, err);
  server.loading = was_loading;
  return ok;
}

}  // namespace grabkv::server
