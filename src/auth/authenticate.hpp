#pragma once
// Request authentication: the admin token, a user's API key (auth/api_key.hpp), or a Supabase
// access token verified locally (HS256 with SUPABASE_JWT_SECRET; ES256/RS256 with the
// project's JWKS), or remotely through GET /auth/v1/user for HS256 tokens when only
// SUPABASE_URL + SUPABASE_SERVICE_ROLE are configured. DESIGN.md §5.
//
//   auth::Caller caller = co_await auth::identify(ctx, request);
//   if (caller.anonymous()) co_await ctx.raise(errors::unauthorized());
#include "auth/user.hpp"
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::auth {

/// The user of the request's bearer token or API key. Raises 401 when there is no valid user
/// token or key (or, for a token, user auth is not configured), 502 when the auth provider
/// cannot be reached.
Task<User> authenticate_user(Ctx& ctx, const Request& request);

/// Admin, a verified user, or anonymous when there is no Authorization header at all.
/// Credentials that are present but invalid raise 401 rather than falling back to anonymous.
Task<Caller> identify(Ctx& ctx, const Request& request);

}  // namespace ag::auth
