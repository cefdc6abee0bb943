#pragma once
// Who may call a handler, in one line at its top, with one meaning everywhere:
//   no credentials, or credentials refused            → 401 unauthorized
//   a valid caller this endpoint is not for           → 403 forbidden
// (a user on an admin endpoint, the admin on a user's own endpoint such as /me). Whether a
// caller may touch one object is the domain's rule (e.g. another user's job is a 404).
#include "auth/user.hpp"
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::auth {

/// The admin or a verified user.
Task<Caller> require_caller(Ctx& ctx, const Request& request);

/// A verified user; the admin, who has no account of its own, gets 403.
Task<User> require_user(Ctx& ctx, const Request& request);

/// A verified user signed in with a session token; the admin, and a user calling with an API
/// key (a leaked key must not mint keys or buy), get 403.
Task<User> require_session_user(Ctx& ctx, const Request& request);

/// The admin; a verified user gets 403.
Task<> require_admin(Ctx& ctx, const Request& request);

}  // namespace ag::auth
