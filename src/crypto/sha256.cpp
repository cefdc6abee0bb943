#include "crypto/sha256.hpp"

#include "crypto/encoding.hpp"

#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

namespace ag::crypto {
namespace {

constexpr std::size_t kBlockSize = 64;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// A streaming SHA-256 on the stack. The software implementation cannot fail, so unlike
// mbedtls_md_hmac (which allocates) there is no error path that could leave a
// predictable all-zero MAC behind.
class Hasher {
 public:
  Hasher() {
    mbedtls_sha256_init(&ctx_);
    mbedtls_sha256_starts_ret(&ctx_, /*is224=*/0);
  }
  ~Hasher() { mbedtls_sha256_free(&ctx_); }
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void update(const unsigned char* data, std::size_t size) { mbedtls_sha256_update_ret(&ctx_, data, size); }
  Sha256Digest finish() {
    Sha256Digest out{};
    mbedtls_sha256_finish_ret(&ctx_, out.data());
    return out;
  }

 private:
  mbedtls_sha256_context ctx_;
};

}  // namespace

Sha256Digest sha256(std::string_view data) {
  Hasher hasher;
  hasher.update(bytes(data), data.size());
  return hasher.finish();
}

std::string sha256_hex(std::string_view data) { return hex_encode(as_bytes(sha256(data))); }

Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
  // RFC 2104: keys longer than a block are hashed first; shorter ones are zero-padded.
  unsigned char block_key[kBlockSize] = {};
  if (key.size() > kBlockSize) {
    Sha256Digest hashed = sha256(key);
    for (std::size_t i = 0; i < hashed.size(); ++i) block_key[i] = hashed[i];
  } else {
    for (std::size_t i = 0; i < key.size(); ++i) block_key[i] = static_cast<unsigned char>(key[i]);
  }
  unsigned char pad[kBlockSize];

  Hasher inner;
  for (std::size_t i = 0; i < kBlockSize; ++i) pad[i] = block_key[i] ^ 0x36;
  inner.update(pad, kBlockSize);
  inner.update(bytes(message), message.size());
  Sha256Digest inner_digest = inner.finish();

  Hasher outer;
  for (std::size_t i = 0; i < kBlockSize; ++i) pad[i] = block_key[i] ^ 0x5c;
  outer.update(pad, kBlockSize);
  outer.update(inner_digest.data(), inner_digest.size());

  // The padded key is the secret itself; don't leave it on the stack.
  mbedtls_platform_zeroize(block_key, sizeof block_key);
  mbedtls_platform_zeroize(pad, sizeof pad);
  return outer.finish();
}

}  // namespace ag::crypto
