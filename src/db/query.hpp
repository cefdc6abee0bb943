#pragma once
// The one way C++ runs SQL: a statement with $n parameters, answered with rows.
#include <string_view>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::db {

/// True when the failure means "no database" (no connection, shutting down, out of
/// resources) rather than a problem with the statement.
bool is_unavailable(const EffectResult& result);

/// Runs `sql`; returns the rows (a JSON array of objects). Raises 503
/// database_unavailable when Postgres cannot be reached, 500 on any other SQL error.
Task<Json> query(Ctx& ctx, std::string_view sql, Json params = Json::array());

}  // namespace ag::db
