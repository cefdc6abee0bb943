#include "http/not_configured.hpp"

#include "core/json.hpp"

namespace ag::http {

Response not_configured(std::string_view message) {
  return json_response(501, {{"ok", true}, {"provider", "noop"}, {"message", message}});
}

}  // namespace ag::http
