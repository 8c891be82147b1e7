// SHA-1 for script names; the implementation lives in the core (DEBUG
// DIGEST uses it too).
#pragma once

#include "server/core/sha1.h"

namespace grabkv::server::scripting {
using server::Sha1Hex;
}  // namespace grabkv::server::scripting
