#include "assets/objects.hpp"

#include <optional>
#include <utility>

#include "core/log.hpp"

namespace ag::assets {

Task<> raise_storage_failure(Ctx& ctx, const EffectResult& reply) {
  log::error("r2 failed", {{"request_id", ctx.request_id()}, {"code", reply.error_code()}});
  co_await ctx.raise(errors::internal());
}

Task<effect::R2Object> found_object(Ctx& ctx, Json effect) {
  EffectResult reply = co_await ctx.perform(std::move(effect));
  if (reply.failed()) co_await raise_storage_failure(ctx, reply);
  std::optional<effect::R2Object> object = effect::found_r2_object(reply);
  if (!object) co_await ctx.raise(errors::not_found("no such asset"));
  co_return std::move(*object);
}

}  // namespace ag::assets
