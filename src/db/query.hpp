#pragma once
// The one way C++ runs SQL: a statement with $n parameters, answered with rows.
//
//   Json rows = co_await db::query(ctx, "select ...", params);   // any error ends the request
//
// Our SQL functions report caller mistakes as errors (the convention in the header of
// migrations/functions/credits.sql: SQLSTATE 22023 / AG402 / AG422 with a
// "<api_error_code>: ..." message). A caller that expects those runs the statement with
// query_or_error and maps what comes back:
//
//   db::QueryResult result = co_await db::query_or_error(ctx, "select ...", params);
//   if (result.error) co_await ctx.raise(db::api_error(ctx, *result.error));
#include <optional>
#include <string>
#include <string_view>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::db {

/// True when the failure means "no database" (no connection, shutting down, out of
/// resources) rather than a problem with the statement.
bool is_unavailable(const EffectResult& result);

/// An error raised by a statement: its SQLSTATE and message.
struct SqlError {
  std::string code;
  std::string message;
};

/// The rows of a statement (a JSON array of objects), or the error it raised.
struct QueryResult {
  Json rows = Json::array();
  std::optional<SqlError> error;
};

/// Runs `sql`; returns the rows. Raises 503 database_unavailable when Postgres cannot be
/// reached, 500 on any other SQL error.
Task<Json> query(Ctx& ctx, std::string_view sql, Json params = Json::array());

/// Runs `sql` like query(), but hands an error the statement raised back to the caller
/// instead of ending the request. "No database" still raises 503.
Task<QueryResult> query_or_error(Ctx& ctx, std::string_view sql, Json params = Json::array());

/// The API error for an error of our SQL functions: 22023 → 400 invalid_request,
/// AG402 → 402 insufficient_credits, AG422 → 422 idempotency_key_reused, with the
/// message after its "<code>: " prefix. Any other SQLSTATE is logged and becomes 500.
ApiError api_error(const Ctx& ctx, const SqlError& error);

/// The cheapest statement (deep health's database check), as an effect to batch with others.
Json ping();

}  // namespace ag::db
