// /assets/*key: uploads stream into R2 and downloads stream out of it; the bytes never
// enter the core. Who may do what: assets/access.hpp; signed links: assets/signed_url.hpp.
#include "api/handlers.hpp"
#include "assets/access.hpp"
#include "assets/content_types.hpp"
#include "http/etag.hpp"
#include "assets/key.hpp"
#include "http/range.hpp"
#include "assets/signed_url.hpp"
#include "assets/store.hpp"
#include "auth/require.hpp"
#include "core/effects.hpp"
#include "core/log.hpp"
#include "core/r2_reply.hpp"

namespace ag::api {

namespace {

Task<std::string> valid_key(Ctx& ctx, const Request& request) {
  std::string key(request.param("key"));
  if (auto problem = assets::key_problem(key)) co_await ctx.raise(errors::invalid_request(*problem));
  co_return key;
}

/// A link from POST /assets/sign stands in for credentials, for reading only.
Task<> check_signed_link(Ctx& ctx, const Request& request, const std::string& key) {
  auto secret = assets::signing_secret(ctx.config());
  auto check = secret ? assets::check_asset_signature(*secret, key, request.query_param("expires").value_or(""),
                                                      request.query_param("sig").value_or(""), ctx.now_ms() / 1000)
                      : assets::SignatureCheck::invalid;
  if (check == assets::SignatureCheck::expired) co_await ctx.raise(errors::forbidden("this link has expired"));
  if (check != assets::SignatureCheck::valid) co_await ctx.raise(errors::forbidden("invalid link signature"));
}

Task<> require_read_access(Ctx& ctx, const Request& request, const std::string& key) {
  if (!assets::is_private(key)) co_return;
  if (request.query_param("sig") || request.query_param("expires")) {
    co_await check_signed_link(ctx, request, key);
    co_return;
  }
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  if (!assets::may_read(caller, key)) co_await ctx.raise(errors::forbidden("this asset belongs to someone else"));
}

/// The caller, when `allowed` lets them at `key` (403 otherwise).
Task<auth::Caller> require_key_access(Ctx& ctx, const Request& request, const std::string& key,
                                      bool (*allowed)(const auth::Caller&, std::string_view)) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  if (!allowed(caller, key)) co_await ctx.raise(errors::forbidden("this key is outside your folder"));
  co_return caller;
}

/// The upload's Content-Type, which a user's upload must have and be allowed
/// (assets/content_types.hpp); admin uploads default to application/octet-stream.
Task<std::string> upload_content_type(Ctx& ctx, const Request& request, const auth::Caller& caller) {
  auto header = request.header("content-type");
  if (caller.admin) co_return std::string(header.value_or("application/octet-stream"));
  std::vector<std::string> allowed = assets::allowed_upload_types(ctx.config());
  if (!header) co_await ctx.raise(errors::unsupported_media_type("a Content-Type header is required", allowed));
  auto type = assets::media_type(*header);
  if (!type || !assets::upload_type_allowed(allowed, *type)) {
    co_await ctx.raise(errors::unsupported_media_type(
        "uploads of type \"" + type.value_or(std::string(*header)) + "\" are not allowed", allowed));
  }
  co_return std::string(*header);
}

Task<> raise_storage_failure(Ctx& ctx, const EffectResult& result) {
  log::error("r2 failed", {{"request_id", ctx.request_id()}, {"code", result.error_code()}});
  co_await ctx.raise(errors::internal());
}

Task<effect::R2Object> found_object(Ctx& ctx, Json effect) {
  EffectResult reply = co_await ctx.perform(std::move(effect));
  if (reply.failed()) co_await raise_storage_failure(ctx, reply);
  std::optional<effect::R2Object> object = effect::found_r2_object(reply);
  if (!object) co_await ctx.raise(errors::not_found("no such asset"));
  co_return std::move(*object);
}

std::string quoted_etag(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

std::optional<http::IfNoneMatch> if_none_match(const Request& request) {
  auto value = request.header("if-none-match");
  return value ? http::parse_if_none_match(*value) : std::nullopt;
}

/// The range to serve, when the request asks for one we honour. If-Range naming another
/// version means "send it all" (RFC 9110 §13.1.5).
std::optional<http::ByteRangeSpec> wanted_range(const Request& request, const effect::R2Object& meta) {
  auto header = request.header("range");
  if (!header) return std::nullopt;
  if (auto if_range = request.header("if-range"); if_range && *if_range != quoted_etag(meta.etag)) {
    return std::nullopt;
  }
  return http::parse_range_header(*header);
}

Response object_headers(const effect::R2Object& meta, int status) {
  Response response;
  response.status = status;
  response.set_header("content-type", meta.content_type.empty() ? "application/octet-stream" : meta.content_type);
  if (!meta.etag.empty()) response.set_header("etag", quoted_etag(meta.etag));
  response.set_header("cache-control", "private, max-age=0, must-revalidate");
  response.set_header("accept-ranges", "bytes");
  return response;
}

Response whole_object(const effect::R2Object& meta) {
  Response response = object_headers(meta, 200);
  if (meta.size) response.set_header("content-length", std::to_string(*meta.size));
  return response;
}

Response streamed(Response response, const effect::R2Object& object) {
  response.body = R2BodyHandle{object.handle};
  return response;
}

bool etag_matches(const Request& request, const effect::R2Object& meta) {
  auto condition = if_none_match(request);
  return condition && http::matches(*condition, meta.etag);
}

/// A 206 for a Range request: the metadata first, since only the size says whether the
/// range is satisfiable, then the slice.
Task<Response> ranged_get(Ctx& ctx, const std::string& key, const effect::R2Object& meta,
                          const http::ByteRangeSpec& spec) {
  const std::uint64_t size = meta.size.value_or(0);
  auto range = http::resolve_range(spec, size);
  if (!range) co_await ctx.raise(errors::range_not_satisfiable(size));
  effect::R2Range slice{range->offset, range->length, std::nullopt};
  effect::R2Object object = co_await found_object(ctx, effect::r2_get_stream(key, slice, std::nullopt));
  Response response = object_headers(object, 206);
  response.set_header("content-range", http::content_range(*range, size));
  response.set_header("content-length", std::to_string(range->length));
  co_return streamed(std::move(response), object);
}

}  // namespace

/// PUT /assets/*key: streams the body into R2 (admin anywhere, users in their folder).
Task<Response> put_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  auth::Caller caller = co_await require_key_access(ctx, request, key, assets::may_write);
  auto length = request.content_length();
  if (!length) co_await ctx.raise(errors::length_required());
  std::uint64_t limit = assets::max_upload_bytes(ctx.config());
  if (*length > limit) co_await ctx.raise(errors::payload_too_large(limit));
  std::string content_type = co_await upload_content_type(ctx, request, caller);
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
  if (!stored) co_await raise_storage_failure(ctx, reply);
  co_return json_response(200, {{"ok", true},
                                {"key", key},
                                {"size", stored->size.value_or(*length)},
                                {"etag", stored->etag},
                                {"content_type", content_type}});
}

/// GET /assets/*key: streams the object; If-None-Match → 304, Range → 206/416.
Task<Response> get_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  co_await require_read_access(ctx, request, key);
  auto condition = if_none_match(request);
  // R2 checks one tag itself; "*" or a list is decided here on the metadata, as a Range is.
  std::optional<std::string> single_tag;
  if (condition && !condition->any && condition->tags.size() == 1) single_tag = condition->tags.front();
  if (request.header("range") || (condition && !single_tag)) {
    effect::R2Object meta = co_await found_object(ctx, effect::r2_head(key));
    if (etag_matches(request, meta)) co_return object_headers(meta, 304);
    if (auto spec = wanted_range(request, meta)) co_return co_await ranged_get(ctx, key, meta, *spec);
  }
  effect::R2Object object = co_await found_object(ctx, effect::r2_get_stream(key, std::nullopt, single_tag));
  if (object.not_modified) co_return object_headers(object, 304);
  co_return streamed(whole_object(object), object);
}

/// HEAD /assets/*key: the headers of GET, from metadata only.
Task<Response> head_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  co_await require_read_access(ctx, request, key);
  effect::R2Object meta = co_await found_object(ctx, effect::r2_head(key));
  if (etag_matches(request, meta)) co_return object_headers(meta, 304);
  co_return whole_object(meta);
}

/// DELETE /assets/*key (owner or admin). Idempotent: deleting a missing key succeeds.
Task<Response> delete_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  co_await require_key_access(ctx, request, key, assets::may_manage);
  EffectResult deleted = co_await ctx.perform(effect::r2_delete(key));
  if (deleted.failed()) co_await raise_storage_failure(ctx, deleted);
  if (assets::storage_owner(key)) co_await assets::forget_upload(ctx, key);
  co_return json_response(200, {{"ok", true}, {"key", key}, {"deleted", true}});
}

}  // namespace ag::api
