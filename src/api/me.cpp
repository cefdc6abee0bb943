#include "api/handlers.hpp"
#include "auth/authenticate.hpp"
#include "auth/supabase_config.hpp"

namespace ag::api {

/// GET /me: the caller's profile; 501 noop when Supabase Auth is not configured.
Task<Response> me(Ctx& ctx, const Request& request) {
  if (!auth::user_auth_configured(ctx.config())) {
    co_return json_response(
        501, {{"ok", true}, {"provider", "noop"}, {"message", "supabase_not_configured"}});
  }
  auth::User user = co_await auth::authenticate_user(ctx, request);
  co_return json_response(
      200, {{"ok", true}, {"user", {{"id", user.id}, {"email", user.email}, {"role", user.role}}}});
}

}  // namespace ag::api
