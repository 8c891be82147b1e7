#include "storage/siphash.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace grabkv::storage {
namespace {

// Written once, by InitProcessHashKey, before any dynamic initializer that
// could build a table (constructor priority 101 runs ahead of the default
// priority of ordinary static objects), and only read afterwards.
SipKey process_key;

bool FillFromGetrandom(unsigned char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = getrandom(buf + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;  // ENOSYS on an old kernel, or a seccomp filter
    }
    got += static_cast<size_t>(r);
  }
  return true;
}

bool FillFromUrandom(unsigned char* buf, size_t n) {
  const int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  size_t got = 0;
  while (got < n) {
    const ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  close(fd);
  return got == n;
}

[[gnu::constructor(101)]] void InitProcessHashKey() {
  unsigned char buf[16];
  if (!FillFromGetrandom(buf, sizeof buf) && !FillFromUrandom(buf, sizeof buf)) {
    // A guessable key would silently reopen hash flooding: refuse to run.
    std::fputs("grabkv: no random source (getrandom, /dev/urandom) for the hash key\n", stderr);
    std::abort();
  }
  std::memcpy(&process_key.k0, buf, 8);
  std::memcpy(&process_key.k1, buf + 8, 8);
}

}  // namespace

const SipKey& ProcessHashKey() { return process_key; }

uint64_t HashBytes(std::string_view key) {
  return SipHash<1, 2>(process_key, key.data(), key.size());
}

uint64_t HashBytesNoCase(std::string_view key) {
  return SipHash<1, 2, true>(process_key, key.data(), key.size());
}

}  // namespace grabkv::storage
