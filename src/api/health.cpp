#include "api/handlers.hpp"
#include "auth/require.hpp"
#include "core/effects.hpp"
#include "core/memory.hpp"
#include "db/query.hpp"

namespace ag::api {

namespace {
// NOTE: the storage check reads metadata of a key nobody writes: a miss is healthy.
constexpr std::string_view kStorageProbeKey = "_health/probe";

Json check(const EffectResult& result, bool unavailable) {
  if (!unavailable) return {{"ok", true}};
  return {{"ok", false}, {"error", result.error_code()}};
}
}  // namespace

/// GET /health: liveness; `?deep=1` (admin) also checks the database and R2.
Task<Response> health(Ctx& ctx, const Request& request) {
  Json body = {{"ok", true}, {"ts", ctx.now_ms()}, {"version", AG_VERSION}};
  if (request.query_param("deep") != "1") co_return json_response(200, body);

  co_await auth::require_admin(ctx, request);
  // NOTE: built apart from the co_await: g++ 12 miscompiles braced lists inside one.
  std::vector<Json> probes{db::ping(), effect::r2_head(kStorageProbeKey)};
  auto results = co_await ctx.perform_all(std::move(probes));
  bool database_ok = !results[0].failed();
  bool storage_ok = !results[1].failed();
  body["checks"] = {{"database", check(results[0], !database_ok)}, {"storage", check(results[1], !storage_ok)}};
  if (auto bytes = linear_memory_bytes()) body["wasm_memory_bytes"] = *bytes;
  // This request's own task included: a lasting count above 1 when idle is a leak.
  body["live_tasks"] = ctx.isolate().slot<TaskCount>().live;
  if (database_ok && storage_ok) co_return json_response(200, body);
  body["ok"] = false;
  body["error"] = "unhealthy";
  body["message"] = "a dependency check failed";
  co_return json_response(503, body);
}

}  // namespace ag::api
