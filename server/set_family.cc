// Placeholder so the tree builds while the set family is being written.
#include "server/command_table.h"

namespace grabkv::server {
void RegisterSetFamily(CommandTable& t) {}
}  // namespace grabkv::server
