// What an asset request carries besides its body: the key, a Range header, and the expires /
// sig parameters of a signed link. Input: "<key>\0<range>\0<expires>\0<sig>".
#include <cstdint>
#include <string>

#include "assets/key.hpp"
#include "http/range.hpp"
#include "assets/signed_url.hpp"
#include "support/fake_shim.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto [key, rest] = ag::fuzz::split(input);
  auto [range, rest2] = ag::fuzz::split(rest);
  auto [expires, sig] = ag::fuzz::split(rest2);

  if (!ag::assets::key_problem(key)) {
    ag::assets::is_private(key);
    ag::assets::owner_of(key);
    ag::assets::encode_key_path(key);
  }
  if (auto spec = ag::http::parse_range_header(range)) {
    for (std::uint64_t object_size : {0ULL, 1ULL, 11ULL, 1ULL << 40}) {
      if (auto resolved = ag::http::resolve_range(*spec, object_size)) {
        if (resolved->length == 0 || resolved->offset + resolved->length > object_size) __builtin_trap();
        ag::http::content_range(*resolved, object_size);
      }
    }
  }
  ag::assets::check_asset_signature("fuzz-signing-secret", key, expires, sig, 1'700'000'000);
  return 0;
}
