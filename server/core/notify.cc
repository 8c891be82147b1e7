#include "server/core/notify.h"

#include "server/core/server_state.h"

namespace grabkv::server {

namespace {

struct Letter {
  char c;
  int flag;
};

// Printing order of the classes when not all of "A" are on (Redis 7.0's
// keyspaceEventsFlagsToString); K, E and m follow.
constexpr Letter kClassLetters[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString},  {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZSet},    {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule},  {'n', kNotifyNew}};

void AppendInt(std::string* out, int v) { out->append(std::to_string(v)); }

}  // namespace

int ParseKeyspaceEvents(std::string_view s) {
  int flags = 0;
  for (char c : s) {
    switch (c) {
      case 'A': flags |= kNotifyAll; break;
      case 'K': flags |= kNotifyKeyspace; break;
      case 'E': flags |= kNotifyKeyevent; break;
      case 'm': flags |= kNotifyKeyMiss; break;
      default: {
        int found = 0;
        for (const Letter& l : kClassLetters) {
          if (l.c == c) found = l.flag;
        }
        if (found == 0) return -1;
        flags |= found;
      }
    }
  }
  return flags;
}

std::string KeyspaceEventsToString(int flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
  } else {
    for (const Letter& l : kClassLetters) {
      if (flags & l.flag) out += l.c;
    }
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

int NotifyClassFlag(storage::EventClass cls) {
  using storage::EventClass;
  switch (cls) {
    case EventClass::kGeneric: return kNotifyGeneric;
    case EventClass::kString: return kNotifyString;
    case EventClass::kList: return kNotifyList;
    case EventClass::kSet: return kNotifySet;
    case EventClass::kHash: return kNotifyHash;
    case EventClass::kZSet: return kNotifyZSet;
    case EventClass::kExpired: return kNotifyExpired;
    case EventClass::kEvicted: return kNotifyEvicted;
    case EventClass::kStream: return kNotifyStream;
    case EventClass::kNew: return kNotifyNew;
  }
  return 0;
}

void NotifyKeyspaceEvent(ServerState& s, int class_flag, std::string_view event,
                         std::string_view key, int db) {
  const int flags = s.config().notify_keyspace_flags;
  if (!(flags & class_flag)) return;
  std::string channel;
  if (flags & kNotifyKeyspace) {
    channel = "__keyspace@";
    AppendInt(&channel, db);
    channel += "__:";
    channel += key;
    s.pubsub().Publish(channel, event);
  }
  if (flags & kNotifyKeyevent) {
    channel = "__keyevent@";
    AppendInt(&channel, db);
    channel += "__:";
    channel += event;
    s.pubsub().Publish(channel, key);
  }
}

void NotifyWrite(ServerState& s, const storage::KeyWriteReport& report) {
  if (report.created) {
    NotifyKeyspaceEvent(s, kNotifyNew, storage::events::kNewKey.name, report.key,
                        report.db_index);
  }
  for (size_t i = 0; i < report.num_events; ++i) {
    const storage::KeyEvent& ev = report.events[i];
    NotifyKeyspaceEvent(s, NotifyClassFlag(ev.cls), ev.name, report.key, report.db_index);
  }
}

}  // namespace grabkv::server
