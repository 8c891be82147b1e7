// Placeholder so the tree builds while the list family is being written.
#include "server/command_table.h"

namespace grabkv::server {
void RegisterListFamily(CommandTable& t) {}
}  // namespace grabkv::server
