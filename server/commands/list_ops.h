// The list family's operations on storage, for the families that build on
// them (GRAB.* pops its stock and pushes its outbox with these). Each
// reports its writes through storage::KeyWrite.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/core/command.h"
#include "server/core/errors.h"
#include "storage/db.h"
#include "storage/list.h"
#include "storage/value.h"

namespace grabkv::server {

inline constexpr storage::KeyEvent kLPushEvent{"lpush", storage::EventClass::kList};
inline constexpr storage::KeyEvent kRPushEvent{"rpush", storage::EventClass::kList};
inline constexpr storage::KeyEvent kLPopEvent{"lpop", storage::EventClass::kList};
inline constexpr storage::KeyEvent kRPopEvent{"rpop", storage::EventClass::kList};

// The list held by entry `e` (a lookup's result): kKeyNotFound for no
// entry, kWrongType for another type, else kOk.
inline storage::List* ListOfEntry(storage::Db::Entry* e, OpStatus* st) {
  if (e == nullptr) {
    *st = OpStatus::kKeyNotFound;
    return nullptr;
  }
  if (e->value.type() != storage::ValueType::kList) {
    *st = OpStatus::kWrongType;
    return nullptr;
  }
  *st = OpStatus::kOk;
  return e->value.As<storage::List>();
}

// The list of a write (Redis lookupKeyWrite: no hit/miss counting).
inline storage::List* FindListWrite(const storage::KeyWrite& w, OpStatus* st) {
  return ListOfEntry(w.entry(), st);
}

// LPUSH/RPUSH (LPUSHX/RPUSHX with only_existing: kKeyNotFound when missing)
// of `elements`, one by one; *len is the new length.
OpStatus OpPush(const OpArgs& op, std::string_view key, bool front, bool only_existing,
                Args elements, size_t* len);

// LPOP/RPOP key (no count): *item receives the element; kKeyNotFound when
// the key is missing, kWrongType when it is not a list. An emptied list is
// deleted.
OpStatus OpPopOne(const OpArgs& op, std::string_view key, bool front, std::string* item);

// LMOVE: moves one element from an end of src to an end of dst (created
// when missing); *moved receives it. src == dst rotates the list. Nothing
// changes unless both keys are usable: kKeyNotFound (no source),
// kWrongType (source), kWrongTypeDest (destination).
OpStatus OpMove(const OpArgs& op, std::string_view src, std::string_view dst, bool from_front,
                bool to_front, std::string* moved);

}  // namespace grabkv::server
