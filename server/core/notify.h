// Keyspace notifications (Redis's notify-keyspace-events): the class flags,
// their parsing and printing as Redis 7.0 does, and delivery of one event as
// pub/sub messages on __keyspace@<db>__:<key> and __keyevent@<db>__:<event>.
//
// Events come from the one write path (ServerState::OnKeyWritten, which only
// calls in here when some class is on), from read misses (keymiss) and from
// commands with events of their own (GRAB.*).
#pragma once

#include <string>
#include <string_view>

#include "storage/db.h"

namespace grabkv::server {

class ServerState;

// Redis's NOTIFY_* bits, one per class letter.
enum NotifyFlag : int {
  kNotifyKeyspace = 1 << 0,   // K
  kNotifyKeyevent = 1 << 1,   // E
  kNotifyGeneric = 1 << 2,    // g
  kNotifyString = 1 << 3,     // $
  kNotifyList = 1 << 4,       // l
  kNotifySet = 1 << 5,        // s
  kNotifyHash = 1 << 6,       // h
  kNotifyZSet = 1 << 7,       // z
  kNotifyExpired = 1 << 8,    // x
  kNotifyEvicted = 1 << 9,    // e
  kNotifyStream = 1 << 10,    // t
  kNotifyKeyMiss = 1 << 11,   // m
  kNotifyModule = 1 << 12,    // d
  kNotifyNew = 1 << 13,       // n
};
// "A": every class but m and n (and not K/E themselves).
inline constexpr int kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet |
                                  kNotifyHash | kNotifyZSet | kNotifyExpired | kNotifyEvicted |
                                  kNotifyStream | kNotifyModule;

// Parses a notify-keyspace-events value; -1 on a letter Redis does not know.
int ParseKeyspaceEvents(std::string_view s);
// The value as Redis 7.0 prints it: "A" or the classes in the order
// g$lshzxetdn, then K, E, m. Like Redis 7.0, "n" is left out when "A" is
// printed (the flag itself stays on).
std::string KeyspaceEventsToString(int flags);

// The NOTIFY_* bit of a write event's class.
int NotifyClassFlag(storage::EventClass cls);

// Publishes `event` on `key` of database `db` when `class_flag` is on and K
// or E is set (keyspace channel first, as Redis does).
void NotifyKeyspaceEvent(ServerState& s, int class_flag, std::string_view event,
                         std::string_view key, int db);

// All events of one reported write ("new" first when the write created the
// key). REQUIRES: notifications are on (flags != 0).
void NotifyWrite(ServerState& s, const storage::KeyWriteReport& report);

}  // namespace grabkv::server
