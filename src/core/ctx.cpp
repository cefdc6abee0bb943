#include "core/ctx.hpp"

#include <array>
#include <cstdlib>
#include <cstring>

#ifdef __wasm__
// NOTE: declared here rather than taken from <wasi/api.h>: Emscripten 3.1.6 neither
// imports it for getentropy (that goes to "env") nor knows it in its JS library.
extern "C" __attribute__((import_module("wasi_snapshot_preview1"), import_name("random_get"))) std::uint16_t
ag_wasi_random_get(std::uint8_t* buffer, std::size_t size);
#else
#include <unistd.h>
#endif

namespace ag {

namespace {

void os_random(std::uint8_t* out, std::size_t size) {
#ifdef __wasm__
  if (ag_wasi_random_get(out, size) != 0) std::abort();
#else
  // getentropy serves at most 256 bytes per call.
  while (size > 0) {
    std::size_t chunk = size < 256 ? size : 256;
    if (getentropy(out, chunk) != 0) std::abort();
    out += chunk;
    size -= chunk;
  }
#endif
}

// Every request draws a request id (and some a token or UUID): one host call per draw cost
// more than the rest of a small request's randomness. Small draws come from a pool of OS
// bytes instead; each pooled byte is served once and wiped as it leaves.
constexpr std::size_t kPoolBytes = 256;
constexpr std::size_t kLargestPooledDraw = 64;

struct RandomPool {
  std::array<std::uint8_t, kPoolBytes> bytes{};
  std::size_t used = kPoolBytes;
};

}  // namespace

void system_random(std::uint8_t* out, std::size_t size) {
  if (size > kLargestPooledDraw) {
    os_random(out, size);
    return;
  }
  static RandomPool pool;
  if (kPoolBytes - pool.used < size) {
    os_random(pool.bytes.data(), kPoolBytes);
    pool.used = 0;
  }
  std::uint8_t* served = pool.bytes.data() + pool.used;
  std::memcpy(out, served, size);
  std::memset(served, 0, size);
  pool.used += size;
}

namespace {
constexpr char kHex[] = "0123456789abcdef";
}

std::string Ctx::random_hex(std::size_t bytes) const {
  std::string raw(bytes, '\0');
  random_bytes(reinterpret_cast<std::uint8_t*>(raw.data()), raw.size());
  std::string hex;
  hex.reserve(bytes * 2);
  for (unsigned char c : raw) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

std::string Ctx::uuid_v4() const {
  std::array<std::uint8_t, 16> b{};
  random_bytes(b.data(), b.size());
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  std::string out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

}  // namespace ag
