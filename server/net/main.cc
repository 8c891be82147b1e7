// grabkv-server [config-file] [--name value ...], as redis-server takes them.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <glob.h>
#include <string>
#include <vector>

#include "server/persistence/aof.h"
#include "server/app/app.h"
#include "server/core/crash_report.h"
#include "server/net/event_loop.h"
#include "server/net/target_link.h"
#include "server/core/log.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "server/core/version.h"

using namespace grabkv::server;

namespace {

void PrintFatalConfigHeader() {
  std::fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (grabkv %s) ***\n", kGrabkvVersion);
}

[[noreturn]] void FatalConfig(int line, const std::string& text, const std::string& why) {
  PrintFatalConfigHeader();
  std::fprintf(stderr, "Reading the configuration file, at line %d\n", line);
  std::fprintf(stderr, ">>> '%s'\n%s\n", text.c_str(), why.c_str());
  std::exit(1);
}

void LoadConfig(ConfigTable& table, const std::string& text, int depth = 0);

// Appends a config file's text; a file that cannot be read stops the start
// with redis-server's message.
void ReadConfigFile(const std::string& path, std::string* text) {
  std::ifstream f(path);
  if (!f) {
    std::fprintf(stderr, "Fatal error, can't open config file '%s': %s\n", path.c_str(),
                 std::strerror(errno));
    std::exit(1);
  }
  text->append(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  *text += '\n';
}

// `include PATTERN`: every file matching the glob pattern, in sorted order,
// is read at that point (Redis 7.0 accepts globs there); a pattern without
// glob characters must name a readable file.
void Include(ConfigTable& table, int lineno, const std::string& line, const std::string& pattern,
             int depth) {
  if (depth >= 16) FatalConfig(lineno, line, "Too many nested include directives");
  std::vector<std::string> paths;
  if (pattern.find_first_of("*?[") != std::string::npos) {
    glob_t g;
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t k = 0; k < g.gl_pathc; ++k) paths.emplace_back(g.gl_pathv[k]);
    }
    globfree(&g);
  } else {
    paths.push_back(pattern);
  }
  for (const std::string& path : paths) {
    std::string text;
    ReadConfigFile(path, &text);
    LoadConfig(table, text, depth + 1);
  }
}

// Applies config text (file contents followed by the command-line options,
// as redis-server does).
void LoadConfig(ConfigTable& table, const std::string& text, int depth) {
  int lineno = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::vector<std::string> argv;
    if (!SplitArgs(line, &argv)) FatalConfig(lineno, line, "Unbalanced quotes in configuration line");
    if (argv.empty()) continue;
    std::string name = argv[0];
    argv.erase(argv.begin());
    if (EqualsIgnoreCase(name, "include")) {
      if (argv.size() != 1) FatalConfig(lineno, line, "Bad directive or wrong number of arguments");
      Include(table, lineno, line, argv[0], depth);
      continue;
    }
    std::string err = table.SetFromFile(name, argv);
    if (!err.empty()) FatalConfig(lineno, line, err);
  }
}

std::string Quote(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  return r + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  std::string text;
  std::string config_file;
  int i = 1;
  if (argc >= 2) {
    std::string a1 = argv[1];
    if (a1 == "-v" || a1 == "--version") {
      std::printf("grabkv-server v=%s redis-compatible=%s bits=64\n", kGrabkvVersion, kRedisCompatVersion);
      return 0;
    }
    if (a1 == "-h" || a1 == "--help") {
      std::printf("Usage: grabkv-server [/path/to/grabkv.conf] [--option value ...]\n"
                  "       grabkv-server --version\n"
                  "Options are redis-server's: --port 0 picks a free port.\n");
      return 0;
    }
    if (a1.rfind("--", 0) != 0) {
      ReadConfigFile(a1, &text);
      config_file = a1;
      i = 2;
    }
  }
  // "--name v1 v2 --other v" becomes the lines "name v1 v2" and "other v".
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      text += '\n';
      text += a.substr(2);
    } else {
      text += ' ';
      text += Quote(a);
    }
  }
  Config cfg;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) != nullptr) cfg.dir = cwd;
  // Absolute, as the server changes folder to `dir` (CONFIG REWRITE writes it).
  if (!config_file.empty()) {
    cfg.config_file = config_file[0] == '/' ? config_file : cfg.dir + "/" + config_file;
  }
  std::vector<std::string> without_effect;
  {
    ConfigTable table(&cfg);
    LoadConfig(table, text);
    std::string refused = table.CheckUnsupported();
    if (!refused.empty()) {
      PrintFatalConfigHeader();
      std::fprintf(stderr, "Refusing to start: %s\n", refused.c_str());
      return 1;
    }
    without_effect = table.GivenWithoutEffect();
  }
  if (!cfg.dir.empty() && chdir(cfg.dir.c_str()) != 0) {
    std::fprintf(stderr, "Can't chdir to '%s': %s\n", cfg.dir.c_str(), std::strerror(errno));
    return 1;
  }
  if (cfg.daemonize && daemon(1, cfg.logfile.empty() ? 0 : 1) != 0) return 1;
  signal(SIGPIPE, SIG_IGN);
  // A write past RLIMIT_FSIZE must fail with EFBIG (and be handled as a
  // write error), not kill the server.
  signal(SIGXFSZ, SIG_IGN);
  // Like Redis: make room for maxclients sockets plus our own descriptors.
  {
    struct rlimit rl;
    rlim_t want = static_cast<rlim_t>(cfg.maxclients) + 32;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
      rlim_t old = rl.rlim_cur;
      rl.rlim_cur = std::min(want, rl.rlim_max);
      setrlimit(RLIMIT_NOFILE, &rl);
      if (rl.rlim_cur < want) {
        std::fprintf(stderr, "You requested maxclients of %lld requiring at least %llu max file descriptors; the limit is %llu (was %llu).\n",
                     static_cast<long long>(cfg.maxclients), static_cast<unsigned long long>(want),
                     static_cast<unsigned long long>(rl.rlim_cur), static_cast<unsigned long long>(old));
      }
    }
  }
  LogInit(cfg.logfile, cfg.loglevel);
  Log(LogLevel::kNotice, "oO0OoO0OoO0Oo grabkv is starting oO0OoO0OoO0Oo");
  Log(LogLevel::kNotice, "grabkv version=%s, redis-compatible=%s, bits=64, pid=%d, just started",
      kGrabkvVersion, kRedisCompatVersion, static_cast<int>(getpid()));
  if (!without_effect.empty()) {
    std::string names;
    for (const std::string& n : without_effect) names += (names.empty() ? "" : ", ") + n;
    Log(LogLevel::kNotice, "Config directives accepted without effect in grabkv: %s",
        names.c_str());
  }

  ServerState state(cfg);
  Assemble(state);
  state.AddExtension(std::make_unique<TargetLinks>(DialTarget));  // MIGRATE's sockets
  InstallCrashReport(&state);
  EventLoop loop(&state);
  std::string err;
  if (!loop.Listen(&err)) {
    Log(LogLevel::kWarning, "Warning: %s", err.c_str());
    Log(LogLevel::kWarning, "Failed listening on port %lld (tcp), aborting.", static_cast<long long>(cfg.port));
    return 1;
  }
  if (!cfg.pidfile.empty()) {
    if (FILE* f = std::fopen(cfg.pidfile.c_str(), "w")) {
      std::fprintf(f, "%d\n", static_cast<int>(getpid()));
      std::fclose(f);
    }
  }
  Log(LogLevel::kNotice, "Server initialized");
  Log(LogLevel::kNotice, "Running mode=standalone, port=%lld.", static_cast<long long>(state.bound_port));
  // The listening socket exists (a busy port fails fast), but no client is
  // accepted before the append-only file is replayed.
  Aof aof(&state);
  if (!aof.Start(&err)) {
    Log(LogLevel::kWarning, "%s", err.c_str());
    return 1;
  }
  Log(LogLevel::kNotice, "Ready to accept connections tcp");
  if (!cfg.unixsocket.empty()) {
    Log(LogLevel::kNotice, "The server is now ready to accept connections at %s", cfg.unixsocket.c_str());
    Log(LogLevel::kNotice, "Ready to accept connections unix");
  }
  int rc = loop.Run();
  if (!cfg.pidfile.empty()) unlink(cfg.pidfile.c_str());
  return rc;
}
