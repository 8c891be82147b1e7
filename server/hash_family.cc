// Placeholder so the tree builds while the hash family is being written.
#include "server/command_table.h"

namespace grabkv::server {
void RegisterHashFamily(CommandTable& t) {}
}  // namespace grabkv::server
