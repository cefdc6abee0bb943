#include "db/query.hpp"

#include "core/effects.hpp"
#include "core/log.hpp"

namespace ag::db {

bool is_unavailable(const EffectResult& result) {
  if (!result.failed()) return false;
  std::string code = result.error_code();
  // SQLSTATE classes 08 (connection), 53 (insufficient resources), 57P (shutdown).
  return code == "unavailable" || code.rfind("08", 0) == 0 || code.rfind("53", 0) == 0 ||
         code.rfind("57P", 0) == 0;
}

Task<Json> query(Ctx& ctx, std::string_view sql, Json params) {
  EffectResult result = co_await ctx.perform(effect::sql(sql, std::move(params)));
  if (is_unavailable(result)) co_await ctx.raise(errors::database_unavailable());
  if (result.failed()) {
    log::error("sql failed", {{"request_id", ctx.request_id()},
                              {"code", result.error_code()},
                              {"message", result.error_message()}});
    co_await ctx.raise(errors::internal());
  }
  auto rows = result.value.find("rows");
  co_return rows != result.value.end() && rows->is_array() ? *rows : Json::array();
}

}  // namespace ag::db
