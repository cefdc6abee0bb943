// JWKS documents as a Supabase project (or anything answering at its URL) might serve them.
#include <cstdint>
#include <string>

#include "auth/jwks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto keys = ag::auth::parse_jwks(std::string_view(reinterpret_cast<const char*>(data), size));
  if (keys) keys->find("k1");
  return 0;
}
