// Propagator: turns what commands changed into the command stream that the
// append-only file records (and that a replica would receive).
//
// Every top-level call (a client's command, a served blocked command, an
// active-expiry deletion) becomes one batch: the effects its handler and any
// nested calls (EXEC's commands, a script's redis.call) reported, in order.
// A batch of more than one command is wrapped in MULTI/EXEC, so a reader
// applies it whole or not at all; a SELECT is emitted whenever an effect's
// database differs from the stream's current one. Committed batches go to the
// sink (the AOF) as RESP bytes.
//
// Not thread-safe: the loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace grabkv::server {

class Propagator {
 public:
  // Receives each committed batch (already wrapped and with its SELECTs).
  using Sink = std::function<void(std::string_view resp)>;

  void set_sink(Sink sink) { sink_ = std::move(sink); }
  // Whether anything consumes effects now. Handlers skip building effects
  // when this is false (no append-only file, no rewrite collecting).
  bool enabled() const { return enabled_; }
  void set_enabled(bool on) {
    enabled_ = on;
    if (!on) {
      // What was not committed is dropped, and the next stream starts with
      // its own SELECT.
      batch_.clear();
      batch_cmds_ = 0;
      lead_ = 0;
      selected_db_ = -1;
    }
  }

  // Nesting of calls: Enter/Leave around every command execution. Leaving
  // the outermost call commits the batch.
  void Enter() { ++depth_; }
  void Leave() {
    if (--depth_ == 0 && batch_cmds_ > 0) Commit();
  }
  int depth() const { return depth_; }
  // Batches committed so far (tells a caller whether its call logged any).
  uint64_t commits() const { return commits_; }

  // Adds one command to the current batch (committed at once when no call
  // is running, e.g. active expiry). No-op when disabled.
  void Add(int db, std::span<const std::string_view> argv);
  void Add(int db, std::initializer_list<std::string_view> argv) {
    Add(db, std::span<const std::string_view>(argv.begin(), argv.size()));
  }

  // The next effect starts with a SELECT (a new file, a rewrite's buffer).
  void ForgetSelectedDb() { selected_db_ = -1; }

  // Appends `argv` as a RESP multibulk to `out` (also used by the rewrite).
  static void AppendCommand(std::string* out, std::span<const std::string_view> argv);

 private:
  void Commit();

  Sink sink_;
  bool enabled_ = false;
  int depth_ = 0;
  int selected_db_ = -1;  // database of the stream after the last effect
  std::string batch_;
  uint64_t commits_ = 0;
  size_t batch_cmds_ = 0;  // commands in batch_, a leading SELECT not counted
  size_t lead_ = 0;        // bytes of a SELECT at the start of batch_
  std::string wrapped_;    // scratch for MULTI/EXEC wrapping
};

}  // namespace grabkv::server
