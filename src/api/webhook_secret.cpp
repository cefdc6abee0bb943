// GET /webhooks/secret: the `whsec_` secret that signs the caller's job webhooks, so their
// receiver can verify them (any Standard Webhooks library does). Admin and each user get
// their own; the secret is derived on demand, never stored.
#include "api/handlers.hpp"
#include "http/not_configured.hpp"
#include "auth/require.hpp"
#include "jobs/webhooks.hpp"

namespace ag::api {

Task<Response> webhook_secret(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  auto secret = jobs::webhook_secret(ctx.config(), caller.user ? caller.user->id : "admin");
  if (!secret) co_return http::not_configured("webhook_signing_not_configured");
  co_return json_response(200, {{"ok", true}, {"secret", *secret}});
}

}  // namespace ag::api
