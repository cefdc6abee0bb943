#include "core/http.hpp"

#include "core/decimal.hpp"

namespace ag {

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view trim_ows(std::string_view text) {
  auto ows = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && ows(text.front())) text.remove_prefix(1);
  while (!text.empty() && ows(text.back())) text.remove_suffix(1);
  return text;
}

bool equals_ignore_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> split_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  auto rest = url.substr(scheme_end + 3);
  auto path_start = rest.find_first_of("/?#");
  std::string_view target = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  target = target.substr(0, target.find('#'));
  auto q = target.find('?');
  std::string path(target.substr(0, q));
  std::string query(q == std::string_view::npos ? "" : target.substr(q + 1));
  if (path.empty()) path.push_back('/');
  return std::make_pair(std::move(path), std::move(query));
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    if (!key || *key != name) continue;
    if (eq == std::string_view::npos) return std::string();
    return percent_decode(pair.substr(eq + 1), true);
  }
  return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

std::optional<std::uint64_t> Request::content_length() const {
  auto text = header("content-length");
  return text ? parse_decimal(*text) : std::nullopt;
}

void Response::set_header(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

Response json_response(int status, const Json& value) {
  Response response;
  response.status = status;
  response.headers.emplace_back("content-type", "application/json; charset=utf-8");
  response.body = dump(value);
  return response;
}

}  // namespace ag
