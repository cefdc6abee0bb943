#include "auth/require.hpp"

#include "auth/admin.hpp"
#include "auth/authenticate.hpp"

namespace ag::auth {

Task<Caller> require_caller(Ctx& ctx, const Request& request) {
  Caller caller = co_await identify(ctx, request);
  if (caller.anonymous()) co_await ctx.raise(errors::unauthorized());
  co_return caller;
}

Task<User> require_user(Ctx& ctx, const Request& request) {
  if (is_admin(ctx.config(), request))
    co_await ctx.raise(errors::forbidden("this endpoint is a user's own: the admin has no account"));
  co_return co_await authenticate_user(ctx, request);
}

Task<User> require_session_user(Ctx& ctx, const Request& request) {
  User user = co_await require_user(ctx, request);
  if (user.key_id)
    co_await ctx.raise(errors::forbidden("an API key cannot do this: sign in to manage keys and billing"));
  co_return user;
}

Task<> require_admin(Ctx& ctx, const Request& request) {
  Caller caller = co_await require_caller(ctx, request);
  if (!caller.admin) co_await ctx.raise(errors::forbidden("only the admin may do this"));
}

}  // namespace ag::auth
