#include "auth/bearer.hpp"

#include <cctype>

namespace ag::auth {

std::optional<std::string_view> bearer_token(const Request& request) {
  auto value = request.header("authorization");
  constexpr std::string_view scheme = "bearer ";
  if (!value || value->size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>((*value)[i])) != scheme[i]) return std::nullopt;
  }
  auto token = value->substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace ag::auth
