#include "http/prefer.hpp"

namespace ag::http {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool equals_lowercase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<int> wait_preference(std::optional<std::string_view> prefer) {
  std::string_view rest = prefer.value_or("");
  while (!rest.empty()) {
    auto comma = rest.find(',');
    // A preference's own parameters (after ';') do not change what wait means.
    std::string_view preference = rest.substr(0, comma);
    preference = trim(preference.substr(0, preference.find(';')));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);

    auto equals = preference.find('=');
    if (!equals_lowercase(trim(preference.substr(0, equals)), "wait")) continue;
    if (equals == std::string_view::npos) return kMaxWaitSeconds;
    std::string_view value = trim(preference.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (value.empty()) return std::nullopt;
    int seconds = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return std::nullopt;
      seconds = seconds > kMaxWaitSeconds ? seconds : seconds * 10 + (c - '0');
    }
    if (seconds < 1) return std::nullopt;
    return seconds > kMaxWaitSeconds ? kMaxWaitSeconds : seconds;
  }
  return std::nullopt;
}

}  // namespace ag::http
