// Build guard: only server/net/ may use libuv (DESIGN.md, "Architecture").
// This header shadows the real <uv.h> for every other server library, so an
// include of uv.h anywhere else fails to build.
#error "uv.h is included outside server/net/: only the IO layer may use libuv"
