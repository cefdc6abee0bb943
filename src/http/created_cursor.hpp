#pragma once
// The cursor of the lists shown newest first by (created_at, id): GET /jobs and GET
// /webhooks/deliveries. Opaque to clients: base64url of "v1:<created_at>|<id>" of the last row
// of a page, so rows created meanwhile never shift a page. created_at is in Postgres' own text
// (microseconds included: the ISO form the API shows stops at milliseconds, and a cursor that
// coarse would skip rows).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::http {

struct CreatedPosition {
  std::string created_at;
  std::string id;
};

/// The cursor that continues after the row at `position`.
std::string encode_created_cursor(const CreatedPosition& position);

/// The position of a cursor encode_created_cursor made; nullopt for anything else.
std::optional<CreatedPosition> decode_created_cursor(std::string_view cursor);

/// `?cursor=` decoded, nullopt when absent or empty; raises 400 `invalid cursor` otherwise.
Task<std::optional<CreatedPosition>> created_cursor_param(Ctx& ctx, const Request& request);

}  // namespace ag::http
