// Placeholder so the tree builds while the zset family is being written.
#include "server/command_table.h"

namespace grabkv::server {
void RegisterZSetFamily(CommandTable& t) {}
}  // namespace grabkv::server
