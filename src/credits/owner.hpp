#pragma once
// Whose credits a request reads (GET /credits, GET /credits/ledger): a user their own; the
// admin, who has no credits, the user named by ?user_id=.
#include <cstdint>
#include <string>

#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/task.hpp"

namespace ag::credits {

struct Owner {
  std::string user_id;
  std::uint64_t welcome = 0;  // what a first visit grants: nothing when the admin only looks
};

/// The owner the caller may read: 401 without credentials, 400 for a bad ?user_id= (or none
/// from the admin), 403 for a user naming someone else.
Task<Owner> credit_owner(Ctx& ctx, const Request& request);

}  // namespace ag::credits
