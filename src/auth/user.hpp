#pragma once
// Who is calling: a Supabase user (from a verified access token), the admin, or nobody.
#include <optional>
#include <string>

namespace ag::auth {

struct User {
  std::string id;                     // the token's `sub`: auth.users.id
  std::string email;                  // "" when the token has none (phone sign-ups, anonymous users)
  std::string role;                   // Supabase's Postgres role claim, normally "authenticated"
  bool is_anonymous = false;          // an anonymous sign-in: a user, but never given welcome credits
  std::optional<std::string> key_id;  // the API key the user called with (auth/api_key.hpp); nullopt: a session token
};

struct Caller {
  bool admin = false;
  std::optional<User> user;  // set exactly when a user token was verified

  bool anonymous() const { return !admin && !user; }
};

}  // namespace ag::auth
