#include "auth/refusal.hpp"

#include <string>

namespace ag::auth {

Task<> reject_token(Ctx& ctx, std::string_view reason) {
  ctx.add_log_field("token_rejected", std::string(reason));
  ApiError error = errors::unauthorized("invalid or expired token");
  error.headers.emplace_back("www-authenticate", R"(Bearer error="invalid_token")");
  co_await ctx.raise(std::move(error));
}

}  // namespace ag::auth
