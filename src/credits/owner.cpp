#include "credits/owner.hpp"

#include "auth/require.hpp"
#include "core/uuid.hpp"
#include "credits/store.hpp"

namespace ag::credits {

Task<Owner> credit_owner(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  auto named = request.query_param("user_id");
  if (named && named->empty()) named.reset();
  if (named && !is_uuid(*named)) co_await ctx.raise(errors::invalid_request("user_id must be a UUID"));
  if (caller.admin) {
    if (!named) co_await ctx.raise(errors::invalid_request("the admin has no credits: name the user with ?user_id="));
    co_return Owner{lowercase_uuid(*named), 0};
  }
  if (named && lowercase_uuid(*named) != lowercase_uuid(caller.user->id))
    co_await ctx.raise(errors::forbidden("you may see only your own credits"));
  co_return Owner{caller.user->id, welcome_credits(ctx.config(), *caller.user)};
}

}  // namespace ag::credits
