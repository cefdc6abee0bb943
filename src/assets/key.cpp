#include "assets/key.hpp"

namespace ag::assets {

std::optional<std::string> key_problem(std::string_view key) {
  if (key.empty()) return "the key is empty";
  if (key.size() > 1024) return "the key is longer than 1024 bytes";
  if (key.front() == '/') return "the key must not start with '/'";
  for (unsigned char c : key) {
    if (c < 0x20 || c == 0x7f) return "the key must not contain control characters";
    if (c == '\\') return "the key must not contain a backslash";
  }
  std::string_view rest = key;
  while (true) {
    auto slash = rest.find('/');
    if (rest.substr(0, slash) == "..") return "the key must not contain a '..' segment";
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return std::nullopt;
}

bool is_private(std::string_view key) { return key.rfind("users/", 0) == 0 || key.rfind("outputs/", 0) == 0; }

std::optional<std::string_view> owner_of(std::string_view key) {
  if (!is_private(key)) return std::nullopt;
  std::string_view rest = key.substr(key.find('/') + 1);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  return rest.substr(0, slash);
}

std::uint64_t max_upload_bytes(const Config& config) {
  constexpr std::uint64_t kDefault = 50ull << 20;
  // NOTE: Workers accept request bodies up to 100 MiB; more cannot arrive anyway.
  return config.get_uint("ASSET_MAX_BYTES", kDefault, 1, 100ull << 20);
}

}  // namespace ag::assets
