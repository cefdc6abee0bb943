#include "api/handlers.hpp"
#include "http/not_configured.hpp"
#include "auth/require.hpp"
#include "auth/supabase_config.hpp"
#include "billing/store.hpp"
#include "credits/store.hpp"

namespace ag::api {

/// GET /me: the caller's profile and balance; 501 noop when Supabase Auth is not configured.
Task<Response> me(Ctx& ctx, const Request& request) {
  if (!auth::user_auth_configured(ctx.config())) co_return http::not_configured("supabase_not_configured");
  auth::User user = co_await auth::require_user(ctx, request);
  // Like GET /credits, the first visit receives the welcome credits.
  billing::Account account = co_await billing::account(ctx, user.id, credits::welcome_credits(ctx.config(), user));
  co_return json_response(200, {{"ok", true},
                                {"user", {{"id", user.id}, {"email", user.email}, {"role", user.role}}},
                                {"credits", {{"balance", account.balance}}},
                                {"subscription", std::move(account.subscription)}});
}

}  // namespace ag::api
