#include "jobs/webhook_url.hpp"

namespace ag::jobs {

bool is_webhook_url(std::string_view text) {
  if (text.size() > 2048 || text.find_first_of(" \t\r\n") != std::string_view::npos) return false;
  if (text.rfind("https://", 0) == 0) return text.size() > 8;
  for (std::string_view local : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    if (text.rfind(local, 0) == 0 && (text.size() == local.size() || text[local.size()] == ':' || text[local.size()] == '/'))
      return true;
  }
  return false;
}

}  // namespace ag::jobs
