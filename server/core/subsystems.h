// What the core needs of the subsystems that sit above it, as interfaces.
//
// server/core/ links neither Lua nor the append-only file: the scripting
// engine (server/scripting/) and the persistence layer (server/persistence/)
// implement these and are installed into ServerState when the server is
// assembled (server/app.h). Tests run the core without either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace grabkv::server {

class Client;

// The state of a subsystem that the core does not know (GRAB.*'s
// statistics today; replication and ACL later), owned by ServerState and
// found by type: ServerState::extension<T>(). It may add an INFO section.
class Extension {
 public:
  virtual ~Extension() = default;
  // Its INFO section's name (lower case) or nullptr, and whether a plain
  // INFO shows it; AppendInfo writes the section with its "# Title" line.
  virtual const char* info_section() const { return nullptr; }
  virtual bool info_in_default() const { return false; }
  virtual void AppendInfo(std::string* out) const {}
};

// A small integer per extension type, for ServerState's O(1) lookup.
size_t NextExtensionId();
template <class T>
size_t ExtensionId() {
  static const size_t id = NextExtensionId();
  return id;
}

// What the script engine holds, for INFO memory.
struct ScriptMemoryInfo {
  uint64_t vm_bytes = 0;         // the Lua state (EVAL scripts and functions share it)
  uint64_t scripts_count = 0;    // the EVAL script cache
  uint64_t scripts_bytes = 0;    // ... its bodies and entries
  uint64_t functions_count = 0;
  uint64_t libraries_count = 0;
  uint64_t functions_bytes = 0;  // library code, names and descriptions
};

// The script engine, as dispatch and the admin commands see it.
class ScriptRuntime {
 public:
  virtual ~ScriptRuntime() = default;
  virtual ScriptMemoryInfo MemoryInfo() const = 0;
  // A script has run past busy-reply-threshold: only commands flagged
  // allow-busy are served until it ends.
  virtual bool busy() const = 0;
  virtual const char* BusyError() const = 0;
  // The client whose script is running, if any.
  virtual const Client* running_caller() const = 0;
  // Scripts in the EVAL cache (MEMORY DOCTOR).
  virtual size_t script_count() const { return 0; }
};

// Durability (the append-only file today), as dispatch and the admin
// commands see it.
class Persistence {
 public:
  virtual ~Persistence() = default;
  // --- event loop hooks (server/net/) ---
  // Writes (and fsyncs, by policy) what this loop iteration committed;
  // runs before the iteration's replies are flushed.
  virtual void BeforeReplies() = 0;
  // From the server timer (once per 1000/hz ms).
  virtual void Cron() = 0;
  // SHUTDOWN/SIGTERM: everything pending written and fsynced.
  virtual void Shutdown() = 0;
  // --- dispatch and commands ---
  // The client whose command just logged effects (its reply waits for them).
  virtual void NoteWriter(uint64_t client_id) = 0;
  // Non-empty while writes are refused (-MISCONF ...).
  virtual const std::string& write_error() const = 0;
  // Whether the append-only file is on.
  virtual bool on() const = 0;
  // Unix time of the last successful save (LASTSAVE, INFO).
  virtual int64_t last_save_s() const = 0;
  // INFO persistence fields.
  virtual void AppendInfo(std::string* out) const = 0;
  // Bytes held for effects waiting to be written (INFO mem_aof_buffer; not
  // counted against maxmemory, as Redis leaves out its AOF buffers).
  virtual uint64_t buffer_bytes() const = 0;
  // (Settings it owns apply through hooks on the config table, see config.h.)
  // SHUTDOWN SAVE with the file off: writes a snapshot in the foreground.
  virtual bool SaveNow(std::string* err) = 0;
  // DEBUG LOADAOF: writes pending effects, empties the data, replays.
  virtual bool Reload(std::string* err) = 0;
  // DEBUG RELOAD: saves dump.rdb (unless !save), empties the data and the
  // function libraries (unless !flush) and loads the file back (`merge`:
  // keys and libraries already present are replaced instead of refused).
  virtual bool ReloadSnapshot(bool save, bool flush, bool merge, std::string* err) = 0;
};

}  // namespace grabkv::server
