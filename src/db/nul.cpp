#include "db/nul.hpp"

namespace ag::db {
namespace {

constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD in UTF-8

bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string member_path(const std::string& parent, const std::string& key) {
  if (is_identifier(key)) return parent.empty() ? key : parent + "." + key;
  return parent + "[" + dump(Json(key)) + "]";
}

std::optional<std::string> find_nul(const Json& value, const std::string& path) {
  if (value.is_string()) return has_nul(value.get_ref<const std::string&>()) ? std::optional(path) : std::nullopt;
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      std::string here = member_path(path, key);
      if (has_nul(key)) return here;
      if (auto found = find_nul(member, here)) return found;
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (auto found = find_nul(value[i], path + "[" + std::to_string(i) + "]")) return found;
    }
  }
  return std::nullopt;
}

std::string replace_nul(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\0') {
      out += kReplacement;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> nul_path(const Json& value) { return find_nul(value, ""); }

Json without_nul(const Json& value) {
  if (value.is_string()) return replace_nul(value.get_ref<const std::string&>());
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& item : value) out.push_back(without_nul(item));
    return out;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [key, member] : value.items()) out[replace_nul(key)] = without_nul(member);
    return out;
  }
  return value;
}

}  // namespace ag::db
