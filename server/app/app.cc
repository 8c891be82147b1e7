#include "server/app/app.h"

#include <memory>

#include "server/core/command_table.h"
#include "server/grab/grab_state.h"
#include "server/scripting/lua_engine.h"

namespace grabkv::server {

// Each family's registration, defined in its own file.
void RegisterConnectionFamily(CommandTable& t);  // server/commands/
void RegisterServerFamily(CommandTable& t);
void RegisterMonitorFamily(CommandTable& t);
void RegisterSlowlogFamily(CommandTable& t);
void RegisterMemoryFamily(CommandTable& t);
void RegisterKeysFamily(CommandTable& t);
void RegisterDumpFamily(CommandTable& t);
void RegisterMigrateFamily(CommandTable& t);
void RegisterStringFamily(CommandTable& t);
void RegisterLcs(CommandTable& t);
void RegisterBitmapFamily(CommandTable& t);
void RegisterModuleFamily(CommandTable& t);
void RegisterLolwut(CommandTable& t);
void RegisterTransactionFamily(CommandTable& t);
void RegisterPubSubFamily(CommandTable& t);
void RegisterListFamily(CommandTable& t);
void RegisterHashFamily(CommandTable& t);
void RegisterSetFamily(CommandTable& t);
void RegisterZSetFamily(CommandTable& t);
void RegisterHllFamily(CommandTable& t);
void RegisterGeoFamily(CommandTable& t);
void RegisterSortFamily(CommandTable& t);
void RegisterScriptFamily(CommandTable& t);       // server/scripting/
void RegisterFunctionFamily(CommandTable& t);
void RegisterPersistenceFamily(CommandTable& t);  // server/persistence/

void Assemble(ServerState& server) {
  CommandTable& t = server.mutable_commands();
  RegisterConnectionFamily(t);
  RegisterServerFamily(t);
  RegisterMonitorFamily(t);
  RegisterSlowlogFamily(t);
  RegisterMemoryFamily(t);
  RegisterKeysFamily(t);
  RegisterDumpFamily(t);
  RegisterMigrateFamily(t);
  RegisterStringFamily(t);
  RegisterLcs(t);
  RegisterBitmapFamily(t);
  RegisterModuleFamily(t);
  RegisterLolwut(t);
  RegisterTransactionFamily(t);
  RegisterPubSubFamily(t);
  RegisterListFamily(t);
  RegisterHashFamily(t);
  RegisterSetFamily(t);
  RegisterZSetFamily(t);
  RegisterHllFamily(t);
  RegisterGeoFamily(t);
  RegisterSortFamily(t);
  RegisterScriptFamily(t);
  RegisterFunctionFamily(t);
  server.set_scripts(std::make_unique<scripting::LuaEngine>(&server));
  InstallGrab(server);  // server/grab/
  RegisterPersistenceFamily(t);
}

}  // namespace grabkv::server
