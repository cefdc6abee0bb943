#include "assets/content_types.hpp"

#include <algorithm>

namespace ag::assets {
namespace {

bool is_token_char(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kSpecials.find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char); }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::vector<std::string> allowed_upload_types(const Config& config) {
  std::vector<std::string> configured = config.get_list("UPLOAD_CONTENT_TYPES");
  if (configured.empty()) {
    return {"image/png", "image/jpeg", "image/webp", "image/gif",     "image/avif",       "video/*",
            "audio/*",   "text/plain", "text/csv",   "text/markdown", "application/json", "application/pdf"};
  }
  for (std::string& type : configured) std::transform(type.begin(), type.end(), type.begin(), ::tolower);
  return configured;
}

std::optional<std::string> media_type(std::string_view content_type) {
  std::string_view essence = trimmed(content_type.substr(0, content_type.find(';')));
  auto slash = essence.find('/');
  if (slash == std::string_view::npos || !is_token(essence.substr(0, slash)) || !is_token(essence.substr(slash + 1)))
    return std::nullopt;
  std::string type(essence);
  std::transform(type.begin(), type.end(), type.begin(), ::tolower);
  return type;
}

bool upload_type_allowed(const std::vector<std::string>& allowed, std::string_view type) {
  const std::string_view family = type.substr(0, type.find('/') + 1);  // "image/"
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& entry) {
    return entry == type || entry == "*/*" ||
           (entry.size() == family.size() + 1 && entry.back() == '*' && entry.starts_with(family));
  });
}

}  // namespace ag::assets
