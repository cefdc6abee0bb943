// GET /assets?prefix&cursor&limit: one page of keys. Users list their own folders
// (users/<id>/ by default, or outputs/<id>/); admin lists anything.
#include "http/assets_cursor.hpp"
#include "api/handlers.hpp"
#include "http/paging.hpp"
#include "assets/access.hpp"
#include "assets/key.hpp"
#include "auth/require.hpp"
#include "core/effects.hpp"
#include "core/log.hpp"
#include "core/r2_reply.hpp"
#include "core/time.hpp"

namespace ag::api {

namespace {
constexpr std::uint32_t kDefaultPage = 100;
constexpr std::uint32_t kMaxPage = 1000;

Json listed_object(const effect::R2Object& object) {
  return {{"key", object.key},
          {"size", object.size.value_or(0)},
          {"etag", object.etag},
          {"uploaded", iso8601_utc(object.uploaded_ms)}};
}
}  // namespace

Task<Response> list_assets(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  std::string prefix = request.query_param("prefix").value_or(caller.user ? assets::user_folder(caller.user->id) : "");
  if (!prefix.empty()) {
    if (auto problem = assets::key_problem(prefix)) co_await ctx.raise(errors::invalid_request("prefix: " + *problem));
  }
  if (!assets::may_list(caller, prefix)) co_await ctx.raise(errors::forbidden("you may list only your own folders"));

  std::uint32_t limit = co_await http::page_limit(ctx, request, kDefaultPage, kMaxPage);
  std::optional<std::string> cursor;
  if (auto given = request.query_param("cursor"); given && !given->empty()) {
    cursor = http::decode_assets_cursor(prefix, *given);
    if (!cursor) co_await ctx.raise(errors::invalid_request("invalid cursor"));
  }

  EffectResult reply = co_await ctx.perform(effect::r2_list(prefix, cursor, limit));
  if (reply.failed()) {
    log::error("r2 list failed", {{"request_id", ctx.request_id()}, {"code", reply.error_code()}});
    co_await ctx.raise(errors::internal());
  }
  effect::R2Page page = effect::r2_page(reply);
  Json objects = Json::array();
  for (const effect::R2Object& object : page.objects) objects.push_back(listed_object(object));
  const std::optional<std::string>& next = page.cursor;
  co_return json_response(200, {{"ok", true},
                                {"prefix", prefix},
                                {"objects", std::move(objects)},
                                {"cursor", next ? Json(http::encode_assets_cursor(prefix, *next)) : Json(nullptr)}});
}

}  // namespace ag::api
