// Build guard: only server/scripting/ may use Lua. This header shadows the
// real <lauxlib.h> for every other server library, so an include of it anywhere
// else fails to build.
#error "lauxlib.h is included outside server/scripting/: only the script engine may use Lua"
