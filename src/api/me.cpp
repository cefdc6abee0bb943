#include "api/handlers.hpp"
#include "auth/bearer.hpp"
#include "auth/supabase_remote.hpp"

namespace ag::api {

/// GET /me: the caller's profile; 501 noop when Supabase Auth is not configured.
Task<Response> me(Ctx& ctx, const Request& request) {
  if (!auth::remote_auth_configured(ctx.config())) {
    co_return json_response(
        501, {{"ok", true}, {"provider", "noop"}, {"message", "supabase_not_configured"}});
  }
  auto token = auth::bearer_token(request);
  if (!token) co_await ctx.raise(errors::unauthorized("a bearer token is required"));
  auth::User user = co_await auth::fetch_remote_user(ctx, *token);
  co_return json_response(
      200, {{"ok", true}, {"user", {{"id", user.id}, {"email", user.email}, {"role", user.role}}}});
}

}  // namespace ag::api
