#include "jobs/webhook_url.hpp"

namespace ag::jobs {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// A DNS name or IPv4 address: letters, digits, '-' and '.'; or a bracketed IPv6 literal.
bool is_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    for (char c : host.substr(1, host.size() - 2)) {
      if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.')) return false;
    }
    return true;
  }
  for (char c : host) {
    if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.')) return false;
  }
  return true;
}

bool is_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool is_loopback(std::string_view host) { return host == "127.0.0.1" || host == "localhost" || host == "[::1]"; }

}  // namespace

bool is_webhook_url(std::string_view text) {
  if (text.size() > 2048) return false;
  // Printable ASCII only; a backslash is a '/' to WHATWG URL parsers (so "a\@b" has host b).
  for (unsigned char c : text) {
    if (c <= 0x20 || c >= 0x7F || c == '\\') return false;
  }
  bool https = text.rfind("https://", 0) == 0;
  if (!https && text.rfind("http://", 0) != 0) return false;
  std::string_view rest = text.substr(https ? 8 : 7);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  // NOTE: no userinfo: "http://127.0.0.1:80@127.0.0.2/" is a URL of host 127.0.0.2.
  if (authority.find('@') != std::string_view::npos) return false;
  std::string_view host = authority;
  if (auto colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    if (!is_port(authority.substr(colon + 1))) return false;
    host = authority.substr(0, colon);
  }
  if (!is_host(host)) return false;
  return https || is_loopback(host);
}

}  // namespace ag::jobs
