// /assets/*key: uploads stream into R2 and downloads stream out of it; the bytes never
// enter the core. Users, ranges and signed URLs arrive with the auth issue.
#include "api/handlers.hpp"
#include "assets/key.hpp"
#include "auth/admin.hpp"
#include "core/effects.hpp"
#include "core/log.hpp"

namespace ag::api {

namespace {

Task<std::string> valid_key(Ctx& ctx, const Request& request) {
  std::string key(request.param("key"));
  if (auto problem = assets::key_problem(key)) co_await ctx.raise(errors::invalid_request(*problem));
  co_return key;
}

/// Private keys are readable by admin only (until user auth lands).
Task<> require_read_access(Ctx& ctx, const Request& request, std::string_view key) {
  if (assets::is_private(key) && !auth::is_admin(ctx.config(), request))
    co_await ctx.raise(errors::unauthorized("this asset is private"));
}

Task<> raise_storage_failure(Ctx& ctx, const EffectResult& result) {
  log::error("r2 failed", {{"request_id", ctx.request_id()}, {"code", result.error_code()}});
  co_await ctx.raise(errors::internal());
}

std::string quoted_etag(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

/// The entity tag of If-None-Match without quotes or W/ (first one of a list).
std::optional<std::string> if_none_match(const Request& request) {
  auto value = request.header("if-none-match");
  if (!value || value->empty()) return std::nullopt;
  std::string_view tag = value->substr(0, value->find(','));
  while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
  if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
  return std::string(tag);
}

Response object_headers(const Json& meta, int status) {
  Response response;
  response.status = status;
  response.set_header("content-type",
                      string_field(meta, "content_type").value_or("application/octet-stream"));
  if (auto etag = string_field(meta, "etag")) response.set_header("etag", quoted_etag(*etag));
  auto size = int_field(meta, "size");
  if (size && status == 200) response.set_header("content-length", std::to_string(*size));
  response.set_header("cache-control", "private, max-age=0, must-revalidate");
  response.set_header("accept-ranges", "none");
  return response;
}

}  // namespace

/// PUT /assets/*key (admin): streams the body into R2.
Task<Response> put_asset(Ctx& ctx, const Request& request) {
  co_await auth::require_admin(ctx, request);
  std::string key = co_await valid_key(ctx, request);
  auto length = request.content_length();
  if (!length) co_await ctx.raise(errors::length_required());
  std::uint64_t limit = assets::max_upload_bytes(ctx.config());
  if (*length > limit) co_await ctx.raise(errors::payload_too_large(limit));

  std::string content_type(request.header("content-type").value_or("application/octet-stream"));
  EffectResult stored = co_await ctx.perform(effect::r2_put_request_body(key, content_type, limit));
  if (stored.error_code() == "too_large") co_await ctx.raise(errors::payload_too_large(limit));
  if (stored.failed()) co_await raise_storage_failure(ctx, stored);
  co_return json_response(200, {{"ok", true},
                                {"key", key},
                                {"size", stored.value.value("size", Json(*length))},
                                {"etag", string_field(stored.value, "etag").value_or("")},
                                {"content_type", content_type}});
}

/// GET /assets/*key: streams the object; If-None-Match → 304.
Task<Response> get_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  co_await require_read_access(ctx, request, key);
  EffectResult object = co_await ctx.perform(effect::r2_get_stream(key, std::nullopt, if_none_match(request)));
  if (object.failed()) co_await raise_storage_failure(ctx, object);
  if (!object.value.value("found", false)) co_await ctx.raise(errors::not_found("no such asset"));
  if (object.value.value("not_modified", false)) co_return object_headers(object.value, 304);
  Response response = object_headers(object.value, 200);
  response.body = R2BodyHandle{int_field(object.value, "handle").value_or(0)};
  co_return response;
}

/// HEAD /assets/*key: the headers of GET, from metadata only.
Task<Response> head_asset(Ctx& ctx, const Request& request) {
  std::string key = co_await valid_key(ctx, request);
  co_await require_read_access(ctx, request, key);
  EffectResult object = co_await ctx.perform(effect::r2_head(key));
  if (object.failed()) co_await raise_storage_failure(ctx, object);
  if (!object.value.value("found", false)) co_await ctx.raise(errors::not_found("no such asset"));
  co_return object_headers(object.value, 200);
}

}  // namespace ag::api
