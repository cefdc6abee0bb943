#pragma once
// The `events` table: every webhook received, with its (redacted) payload.
#include <string_view>

#include "core/json.hpp"

namespace ag::db {

/// The SQL effect that records one event (run it with ctx.wait_until).
Json insert_event(std::string_view event_id, std::string_view type, const Json& payload);

}  // namespace ag::db
