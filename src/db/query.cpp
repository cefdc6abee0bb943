#include "db/query.hpp"

#include "core/effects.hpp"
#include "core/log.hpp"

namespace ag::db {

namespace {

struct Convention {
  std::string_view sqlstate;
  int status;
  std::string_view code;  // also the message prefix the SQL functions use
};

// migrations/functions/credits.sql, header comment.
constexpr Convention kConventions[] = {
    {"22023", 400, "invalid_request"},
    {"AG402", 402, "insufficient_credits"},
    {"AG422", 422, "idempotency_key_reused"},
};

ApiError unexpected(const Ctx& ctx, const SqlError& error) {
  log::error("sql failed", {{"request_id", ctx.request_id()}, {"code", error.code}, {"message", error.message}});
  return errors::internal();
}

}  // namespace

bool is_unavailable(const EffectResult& result) {
  if (!result.failed()) return false;
  const std::string code = result.error_code();
  // SQLSTATE classes 08 (connection), 28 (the login refused), 53 (insufficient resources),
  // 57P (shutdown) and 3D000 (no such database): no statement could have run.
  for (std::string_view prefix : {"08", "28", "53", "57P", "3D000"})
    if (code.rfind(prefix, 0) == 0) return true;
  return code == "unavailable";
}

Task<QueryResult> query_or_error(Ctx& ctx, std::string_view sql, Json params) {
  EffectResult result = co_await ctx.perform(effect::sql(sql, std::move(params)));
  if (is_unavailable(result)) co_await ctx.raise(errors::database_unavailable());
  QueryResult out;
  if (result.failed()) {
    out.error = SqlError{result.error_code(), result.error_message()};
    co_return out;
  }
  auto rows = result.value.find("rows");
  if (rows != result.value.end() && rows->is_array()) out.rows = std::move(*rows);
  co_return out;
}

Task<Json> query(Ctx& ctx, std::string_view sql, Json params) {
  QueryResult result = co_await query_or_error(ctx, sql, std::move(params));
  if (result.error) co_await ctx.raise(unexpected(ctx, *result.error));
  co_return std::move(result.rows);
}

ApiError api_error(const Ctx& ctx, const SqlError& error) {
  for (const Convention& convention : kConventions) {
    if (error.code != convention.sqlstate) continue;
    std::string message = error.message;
    std::string prefix = std::string(convention.code) + ": ";
    if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
    ApiError api;
    api.status = convention.status;
    api.code = std::string(convention.code);
    api.message = std::move(message);
    return api;
  }
  return unexpected(ctx, error);
}

Json ping() { return effect::sql("select 1 as ok"); }

}  // namespace ag::db
