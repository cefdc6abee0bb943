#include "http/prefer.hpp"

#include "core/http.hpp"

namespace ag::http {

std::optional<int> wait_preference(std::optional<std::string_view> prefer) {
  std::string_view rest = prefer.value_or("");
  while (!rest.empty()) {
    auto comma = rest.find(',');
    // A preference's own parameters (after ';') do not change what wait means.
    std::string_view preference = rest.substr(0, comma);
    preference = trim_ows(preference.substr(0, preference.find(';')));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);

    auto equals = preference.find('=');
    if (!equals_ignore_case(trim_ows(preference.substr(0, equals)), "wait")) continue;
    if (equals == std::string_view::npos) return kMaxWaitSeconds;
    std::string_view value = trim_ows(preference.substr(equals + 1));
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
