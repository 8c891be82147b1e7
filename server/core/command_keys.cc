// The keys of a command's arguments, as COMMAND GETKEYS finds them (moved
// here from command_docs.cc so that the core can use them: client-side
// caching remembers the keys a read-only command read).
#include <vector>

#include "server/core/command_table.h"
#include "server/core/util.h"

namespace grabkv::server {

// Appends the keys of argv (argv[0] is the command name) that the key specs
// give. False when the arguments do not fit them (a bad count and the
// like, or a spec that may miss keys): the caller then turns to the
// command's getkeys proc, if any.
static bool KeysFromSpecs(const CommandSpec& spec, Args argv, std::vector<KeyRef>* out) {
  const int argc = static_cast<int>(argv.size());
  for (const KeySpec& ks : spec.keys) {
    if (ks.flags & kNotKey) continue;
    // No index and no keyword: Redis's "unknown" spec (SORT); the getkeys
    // proc decides.
    if (ks.keyword == nullptr && ks.index == 0) return false;
    int first = 0;
    if (ks.keyword != nullptr) {
      // The keyword is looked for from startfrom towards the end (or, for a
      // negative startfrom, from that far from the end back towards the
      // start); it cannot be the last argument, a key must follow it.
      int start = ks.startfrom > 0 ? ks.startfrom : argc + ks.startfrom;
      int end = ks.startfrom > 0 ? argc - 1 : 1;
      int dir = start <= end ? 1 : -1;
      for (int i = start; i != end; i += dir) {
        if (i >= argc || i < 1) break;
        if (EqualsIgnoreCase(argv[i], ks.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first == 0) continue;  // no keyword: no keys from this spec
    } else {
      first = ks.index;
    }
    int last;
    if (ks.keynum) {
      if (ks.keynumidx >= argc || first + ks.keynumidx >= argc) return false;
      int64_t numkeys;
      if (!ParseInt64(argv[first + ks.keynumidx], &numkeys) || numkeys < 0 || numkeys > argc) {
        return false;
      }
      first += ks.firstkey;
      last = first + static_cast<int>(numkeys) - 1;
    } else if (ks.lastkey >= 0) {
      last = first + ks.lastkey;
    } else if (ks.limit == 0) {
      last = argc + ks.lastkey;
    } else {
      // The keys are 1/limit of what follows (XREAD ... STREAMS k1 k2 id1 id2).
      last = first + (argc - first) / ks.limit + ks.lastkey;
    }
    if (last >= argc || last < first || first >= argc) return false;
    for (int i = first; i <= last; i += ks.keystep) out->push_back({i, ks.flags});
    if (ks.flags & kIncomplete) return false;
  }
  return true;
}

// Redis prefers the key specs, unless their flags depend on the arguments;
// when they do not fit, the command's getkeys proc (if any) decides.
void CommandKeys(const CommandSpec& spec, Args argv, std::vector<KeyRef>* out) {
  bool variable_flags = false;
  for (const KeySpec& ks : spec.keys) variable_flags |= (ks.flags & kVariableFlags) != 0;
  if (!variable_flags || spec.getkeys == nullptr) {
    if (KeysFromSpecs(spec, argv, out)) return;
    out->clear();
  }
  if (spec.getkeys != nullptr) spec.getkeys(argv, out);
}

}  // namespace grabkv::server
