#include "http/body.hpp"

#include "core/effects.hpp"
#include "db/nul.hpp"

namespace ag::http {

Task<std::string> read_body(Ctx& ctx, const Request& request, std::uint64_t max_bytes) {
  if (auto length = request.content_length(); length && *length > max_bytes)
    co_await ctx.raise(errors::payload_too_large(max_bytes));
  if (!request.has_body) co_return std::string();
  if (request.body) {
    if (request.body->size() > max_bytes) co_await ctx.raise(errors::payload_too_large(max_bytes));
    co_return *request.body;
  }
  EffectResult result = co_await ctx.perform(effect::request_body(max_bytes));
  if (result.error_code() == "too_large") co_await ctx.raise(errors::payload_too_large(max_bytes));
  if (result.failed()) co_await ctx.raise(errors::invalid_request("the request body could not be read"));
  co_return std::move(result.body);
}

Task<Json> parse_json_object(Ctx& ctx, std::string_view text) {
  JsonParse parsed = parse_json_checked(text, DuplicateKeys::refuse);
  if (!parsed.value) co_await ctx.raise(errors::invalid_request("invalid JSON body: " + parsed.error));
  Json& value = *parsed.value;
  if (!value.is_object()) co_await ctx.raise(errors::invalid_request("the body must be a JSON object"));
  // Postgres can hold no U+0000 (db/nul.hpp): refused here, by name, not as a failed insert.
  if (auto where = db::nul_path(value))
    co_await ctx.raise(errors::invalid_request(*where + " must not contain U+0000 (NUL)"));
  co_return std::move(value);
}

Task<Json> read_json_object(Ctx& ctx, const Request& request, std::uint64_t max_bytes) {
  std::string body = co_await read_body(ctx, request, max_bytes);
  co_return co_await parse_json_object(ctx, body);
}

}  // namespace ag::http
