// A server for fuzz targets that drive commands in-process: one ServerState
// assembled as grabkv-server assembles it, and one Client without a socket.
// Run() dispatches a command and returns the raw reply bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/app/app.h"
#include "server/core/client.h"
#include "server/core/log.h"
#include "server/core/server_state.h"

namespace grabkv::fuzz {

struct InProcessServer {
  server::ServerState server{server::Config{}};
  server::Client client{server.NextClientId()};

  InProcessServer() {
    server::Assemble(server);
    server.AddClient(&client);
  }
  std::string Run(std::vector<std::string> args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    client.out().clear();
    server::Dispatch(server, client, views);
    return client.out();
  }
};

// The one server of a fuzz target (a World derived from InProcessServer),
// made on first use with the log silenced; LLVMFuzzerInitialize calls it.
template <typename World>
World& TheWorld() {
  static World* w = [] {
    server::LogInit("/dev/null", server::LogLevel::kWarning);
    return new World();
  }();
  return *w;
}

}  // namespace grabkv::fuzz
