// /assets/*key: uploads stream into R2 and downloads stream out of it; the bytes never
// enter the core. Who may do what: assets/request_access.hpp; the answers' headers, ranges and
// validators: http/object_response.hpp, http/range.hpp, http/etag.hpp.
#include "api/handlers.hpp"
#include "assets/access.hpp"
#include "assets/content_types.hpp"
#include "assets/key.hpp"
#include "assets/objects.hpp"
#include "assets/request_access.hpp"
#include "assets/store.hpp"
#include "core/effects.hpp"
#include "core/r2_reply.hpp"
#include "http/etag.hpp"
#include "http/object_response.hpp"
#include "http/range.hpp"

namespace ag::api {

namespace {

Task<std::string> valid_key(Ctx& ctx, const Request& request) {
  std::string key(request.param("key"));
  if (auto problem = assets::key_problem(key)) co_await ctx.raise(errors::invalid_request(*problem));
  co_return key;
}

/// A 206 for a Range request: the metadata first, since only the size says whether the
/// range is satisfiable, then the slice.
Task<Response> ranged_get(Ctx& ctx, const std::string& key, const effect::R2Object& meta,
                          const http::ByteRangeSpec& spec) {
  const std::uint64_t size = meta.size.value_or(0);
  auto range = http::resolve_range(spec, size);
  if (!range) co_await ctx.raise(errors::range_not_satisfiable(size));
  effect::R2Range slice{range->offset, range->length, std::nullopt};
  effect::R2Object object = co_await assets::found_object(ctx, effect::r2_get_stream(key, slice, std::nullopt));
  Response response = http::object_headers(object, 206);
  response.set_header("content-range", http::content_range(*range, size));
  response.set_header("content-length", std::to_string(range->length));
  co_return http::streamed(std::move(response), object);
}

}  // namespace

/// PUT /assets/*key: streams the body into R2 (admin anywhere, users in their folder).
Task<Response> put_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  auth::Caller caller = co_await assets::require_key_access(ctx, request, key, assets::may_write);
  auto length = request.content_length();
  if (!length) co_await ctx.raise(errors::length_required());
  std::uint64_t limit = assets::max_upload_bytes(ctx.config());
  if (*length > limit) co_await ctx.raise(errors::payload_too_large(limit));
  std::string content_type = co_await assets::upload_content_type(ctx, request, caller);
  std::optional<assets::UploadReservation> room;
  if (auto owner = assets::storage_owner(key)) {
    auto quota = caller.admin ? std::nullopt : std::optional(assets::user_storage_bytes(ctx.config()));
    room = co_await assets::reserve_upload(ctx, *owner, key, *length, quota);
  }

  EffectResult reply = co_await ctx.perform(effect::r2_put_request_body(key, content_type, limit));
  std::optional<effect::R2Object> stored;
  if (!reply.failed()) stored = effect::stored_r2_object(reply);
  if (room) {
    auto size = stored ? std::optional(stored->size.value_or(*length)) : std::nullopt;
    co_await assets::finish_upload(ctx, *room, size);
  }
  if (reply.error_code() == "too_large") co_await ctx.raise(errors::payload_too_large(limit));
  if (!stored) co_await assets::raise_storage_failure(ctx, reply);
  co_return json_response(200, {{"ok", true},
                                {"key", key},
                                {"size", stored->size.value_or(*length)},
                                {"etag", stored->etag},
                                {"content_type", content_type}});
}

/// GET /assets/*key: streams the object; If-None-Match → 304, Range → 206/416.
Task<Response> get_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  co_await assets::require_read_access(ctx, request, key);
  auto condition = http::if_none_match(request);
  // R2 checks one tag itself; "*" or a list is decided here on the metadata, as a Range is.
  std::optional<std::string> single_tag;
  if (condition && !condition->any && condition->tags.size() == 1) single_tag = condition->tags.front();
  if (request.header("range") || (condition && !single_tag)) {
    effect::R2Object meta = co_await assets::found_object(ctx, effect::r2_head(key));
    if (http::not_modified(request, meta.etag)) co_return http::object_headers(meta, 304);
    if (auto spec = http::wanted_range(request, meta.etag)) co_return co_await ranged_get(ctx, key, meta, *spec);
  }
  effect::R2Object object = co_await assets::found_object(ctx, effect::r2_get_stream(key, std::nullopt, single_tag));
  if (object.not_modified) co_return http::object_headers(object, 304);
  co_return http::streamed(http::whole_object(object), object);
}

/// HEAD /assets/*key: the headers of GET, from metadata only.
Task<Response> head_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  co_await assets::require_read_access(ctx, request, key);
  effect::R2Object meta = co_await assets::found_object(ctx, effect::r2_head(key));
  if (http::not_modified(request, meta.etag)) co_return http::object_headers(meta, 304);
  co_return http::whole_object(meta);
}

/// DELETE /assets/*key (owner or admin). Idempotent: deleting a missing key succeeds.
Task<Response> delete_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  co_await assets::require_key_access(ctx, request, key, assets::may_manage);
  EffectResult deleted = co_await ctx.perform(effect::r2_delete(key));
  if (deleted.failed()) co_await assets::raise_storage_failure(ctx, deleted);
  if (assets::storage_owner(key)) co_await assets::forget_upload(ctx, key);
  co_return json_response(200, {{"ok", true}, {"key", key}, {"deleted", true}});
}

}  // namespace ag::api
