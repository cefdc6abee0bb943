#pragma once
// How authentication refuses credentials: 401 with `WWW-Authenticate: Bearer
// error="invalid_token"`. The reason is logged for an operator; the client only learns that
// the token was refused.
#include <string_view>

#include "core/ctx.hpp"
#include "core/task.hpp"

namespace ag::auth {

Task<> reject_token(Ctx& ctx, std::string_view reason);

}  // namespace ag::auth
