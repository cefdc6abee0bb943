#pragma once
// Every webhook received is kept in `events`: its path as the type, and its headers and
// body as the payload, with credentials redacted. Written after the response (wait_until).
#include <string>
#include <string_view>

#include "core/http.hpp"
#include "core/json.hpp"

namespace ag::db {

/// The `events` insert for this delivery, as an effect to hand to ctx.wait_until.
Json log_webhook(std::string_view event_id, const Request& request, std::string_view body);

}  // namespace ag::db
