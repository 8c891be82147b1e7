// Aof::Load: replays the append-only file at start.
//
// The file is read in chunks and parsed with the same resumable RESP parser
// the connections use; each command runs through Dispatch on a client of its
// own, so MULTI/EXEC in the file queue and execute as they did live. Where
// the file ends decides the outcome, as in Redis 7.0:
//   - a command cut off by the end of the file (a crash mid-write), or a
//     MULTI without its EXEC, is dropped with a warning when
//     aof-load-truncated is yes, and the file is truncated to the last whole
//     command so that new writes do not follow garbage; otherwise the server
//     refuses to start;
//   - bytes that are not a command are corruption: the server refuses to
//     start, naming the byte offset.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>

#include "protocol/resp_parser.h"
#include "server/persistence/aof.h"
#include "server/persistence/rdb.h"
#include "server/core/log.h"
#include "server/core/server_state.h"

namespace grabkv::server {

namespace {
constexpr size_t kReadChunk = 1 << 20;
// A client id no connection gets (ids count up from 1).
constexpr uint64_t kLoaderClientId = std::numeric_limits<uint64_t>::max();
}  // namespace

bool Aof::Load(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return true;  // created empty by OpenForAppend
    *error = "Fatal error: can't open the append log file " + path + " for reading: " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size == 0) {
    ::close(fd);
    return true;
  }
  int64_t start_us = ServerState::NowUs();
  server_->loading = true;
  for (storage::Db& db : server_->dbs()) db.set_expiry_paused(true);

  Client loader(kLoaderClientId);
  protocol::ParserLimits limits;
  limits.max_bulk_len = std::numeric_limits<int64_t>::max();
  protocol::RespParser parser(limits);
  std::string buf;
  size_t pos = 0;             // start of the next command in buf
  int64_t buf_offset = 0;     // file offset of buf[0]
  int64_t valid_up_to = 0;    // end of the last whole command
  int64_t valid_before_multi = 0;  // where an open MULTI started
  bool eof = false, corrupt = false, in_parse = false;
  std::string corrupt_why;
  int64_t corrupt_at = 0;
  int64_t cut_annotation_at = -1;  // a final '#' line without its newline
  uint64_t commands = 0;

  while (!corrupt) {
    // Parse what is buffered.
    while (pos < buf.size()) {
      if (!in_parse) {
        char first = buf[pos];
        if (first == '#') {
          // An annotation line (Redis 7.0's "#TS:..."): skipped.
          size_t nl = buf.find('\n', pos);
          if (nl == std::string::npos) {
            // Cut off at the end of the file: no command is lost (Redis
            // loads such a file too), but the line goes, or the next
            // appended command would be glued into it.
            if (eof) cut_annotation_at = buf_offset + static_cast<int64_t>(pos);
            break;  // else need more
          }
          pos = nl + 1;
          valid_up_to = buf_offset + static_cast<int64_t>(pos);
          if (!loader.in_multi) valid_before_multi = valid_up_to;
          continue;
        }
        if (first != '*') {
          corrupt = true;
          corrupt_at = buf_offset + static_cast<int64_t>(pos);
          corrupt_why = "expected '*' at the start of a command";
          break;
        }
      }
      auto status = parser.Parse(std::string_view(buf).substr(pos));
      if (status == protocol::RespParser::Status::kNeedMore) {
        in_parse = true;
        break;
      }
      in_parse = false;
      if (status == protocol::RespParser::Status::kError) {
        corrupt = true;
        corrupt_at = buf_offset + static_cast<int64_t>(pos);
        corrupt_why = parser.error();
        break;
      }
      const auto& args = parser.args();
      if (!args.empty()) {
        if (server_->commands().Find(args[0]) == nullptr) {
          corrupt = true;
          corrupt_at = buf_offset + static_cast<int64_t>(pos);
          corrupt_why = "unknown command '" + std::string(args[0].substr(0, 128)) + "'";
          break;
        }
        bool was_in_multi = loader.in_multi;
        Dispatch(*server_, loader, std::span<const std::string_view>(args.data(), args.size()));
        loader.out().clear();
        ++commands;
        if (!was_in_multi && loader.in_multi) {
          valid_before_multi = buf_offset + static_cast<int64_t>(pos);
        }
      }
      pos += parser.consumed();
      valid_up_to = buf_offset + static_cast<int64_t>(pos);
      if (!loader.in_multi) valid_before_multi = valid_up_to;
    }
    if (corrupt || eof) break;
    // Keep the unparsed tail at the front, then read more.
    buf.erase(0, pos);
    buf_offset += static_cast<int64_t>(pos);
    pos = 0;
    size_t old = buf.size();
    buf.resize(old + kReadChunk);
    ssize_t n;
    do {
      n = ::read(fd, buf.data() + old, kReadChunk);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      *error = "Unrecoverable error reading the append only file " + path + ": " + std::strerror(errno);
      ::close(fd);
      server_->loading = false;
      for (storage::Db& db : server_->dbs()) db.set_expiry_paused(false);
      return false;
    }
    buf.resize(old + static_cast<size_t>(n));
    if (n == 0) eof = true;
  }
  ::close(fd);
  server_->loading = false;
  for (storage::Db& db : server_->dbs()) db.set_expiry_paused(false);
  loaded_commands_ = commands;

  if (corrupt) {
    *error = "Bad file format reading the append only file " + path + " at byte offset " +
             std::to_string(corrupt_at) + " (" + corrupt_why +
             "): make a backup of your AOF file, then use redis-check-aof --fix <filename>";
    return false;
  }
  int64_t file_size = buf_offset + static_cast<int64_t>(buf.size());
  int64_t keep = loader.in_multi ? valid_before_multi : valid_up_to;
  if (!loader.in_multi && cut_annotation_at == keep && keep < file_size) {
    Log(LogLevel::kNotice, "Removing a cut-off annotation line at the end of the AOF file %s",
        path.c_str());
    if (::truncate(path.c_str(), keep) != 0) {
      *error = "Error truncating the AOF file " + path + ": " + std::strerror(errno);
      return false;
    }
  } else if (keep < file_size) {
    if (loader.in_multi) {
      Log(LogLevel::kWarning, "Revert incomplete MULTI/EXEC transaction in AOF file %s", path.c_str());
      // Its queued commands never ran.
      loader.queued.clear();
      loader.in_multi = false;
    }
    if (!server_->config().aof_load_truncated) {
      *error = "Unexpected end of file reading the append only file " + path +
               ". You can: 1) Make a backup of your AOF file, then use redis-check-aof --fix "
               "<filename>. 2) Alternatively you can set the 'aof-load-truncated' configuration "
               "option to yes and restart the server.";
      return false;
    }
    Log(LogLevel::kWarning,
        "!!! Warning: short read while loading the AOF file %s!!! (%" PRId64 " of %" PRId64
        " bytes are whole commands)",
        path.c_str(), keep, file_size);
    if (::truncate(path.c_str(), keep) != 0) {
      *error = "Error truncating the AOF file " + path + ": " + std::strerror(errno);
      return false;
    }
    Log(LogLevel::kWarning, "AOF loaded anyway because aof-load-truncated is enabled");
  }
  double secs = static_cast<double>(ServerState::NowUs() - start_us) / 1e6;
  Log(LogLevel::kNotice, "DB loaded from append only file: %.3f seconds, %" PRIu64 " commands",
      secs, commands);
  return true;
}

bool Aof::LoadRedisPart(const std::string& path, std::string* error) {
  char magic[5] = {};
  FILE* f = std::fopen(path.c_str(), "r");
  const size_t n = f != nullptr ? std::fread(magic, 1, sizeof(magic), f) : 0;
  if (f != nullptr) std::fclose(f);
  if (n != sizeof(magic) || std::memcmp(magic, "REDIS", sizeof(magic)) != 0) return Load(path, error);
  const int64_t start_us = ServerState::NowUs();
  RdbLoadStats stats;
  bool missing = false;
  if (!RdbLoadFile(*server_, path, start_us / 1000, /*merge=*/false, &stats, &missing, error)) {
    *error = "Bad file format reading the RDB base of the append only file " + path + ": " + *error;
    return false;
  }
  Log(LogLevel::kNotice, "Loaded the RDB base %s: %" PRIu64 " keys, %.3f seconds", path.c_str(),
      stats.keys_loaded, static_cast<double>(ServerState::NowUs() - start_us) / 1e6);
  return true;
}

}  // namespace grabkv::server
