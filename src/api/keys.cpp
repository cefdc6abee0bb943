// POST /keys, GET /keys and DELETE /keys/:id (docs/endpoints.md "API keys"): a signed-in
// user's API keys. Only a session may manage them: a key cannot mint or revoke keys.
#include "api/handlers.hpp"
#include "auth/api_key.hpp"
#include "auth/require.hpp"
#include "core/utf8.hpp"
#include "core/uuid.hpp"
#include "http/body.hpp"
#include "keys/secret.hpp"
#include "keys/store.hpp"

namespace ag::api {

namespace {
constexpr std::size_t kMaxKeyName = 100;  // characters
}  // namespace

/// POST /keys {"name"} → 201 {"ok":true,"id","name","prefix","created_at","secret"}: the
/// secret is shown in this answer only.
Task<Response> create_key(Ctx& ctx, const Request& request) {
  auth::User user = co_await auth::require_session_user(ctx, request);
  if (user.is_anonymous) co_await ctx.raise(errors::forbidden("an anonymous user cannot create API keys: sign up"));
  Json body = co_await http::read_json_object(ctx, request);
  auto name = string_field(body, "name");
  if (!name || name->empty() || code_points(*name) > kMaxKeyName)
    co_await ctx.raise(errors::invalid_request("name must be 1 to 100 characters"));
  const std::string secret = keys::new_secret(ctx);
  keys::NewKey key{user.id, *name, keys::prefix_of(secret), keys::secret_hash(secret)};
  std::optional<Json> created = co_await keys::create_key(ctx, key);
  if (!created)
    co_await ctx.raise(errors::conflict("a user holds at most " + std::to_string(keys::kMaxKeysPerUser) +
                                        " API keys: revoke one first"));
  Json answer = {{"ok", true}};
  answer.update(*created);
  answer["secret"] = secret;
  co_return json_response(201, std::move(answer));
}

/// GET /keys → {"ok":true,"keys":[{id,name,prefix,created_at,last_used_at}]}, newest first.
Task<Response> list_keys(Ctx& ctx, const Request& request) {
  auth::User user = co_await auth::require_session_user(ctx, request);
  Json listed = co_await keys::list_keys(ctx, user.id);
  co_return json_response(200, {{"ok", true}, {"keys", std::move(listed)}});
}

/// DELETE /keys/:id → {"ok":true,"id","revoked":true}; 404 for a key that is not the caller's
/// or was revoked before.
Task<Response> revoke_key(Ctx& ctx, const Request& request) {
  auth::User user = co_await auth::require_session_user(ctx, request);
  std::string id(request.param("id"));
  bool revoked = false;
  if (is_uuid(id)) revoked = co_await keys::revoke_key(ctx, user.id, id);
  if (!revoked) co_await ctx.raise(errors::not_found("no such API key"));
  auth::forget_api_key(ctx, id);
  co_return json_response(200, {{"ok", true}, {"id", id}, {"revoked", true}});
}

}  // namespace ag::api
