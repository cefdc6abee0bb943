// POST /admin/credits: the admin grants credits (amount > 0) or corrects a balance
// (amount < 0), once per idempotency key (credits/admin_credit.hpp). shared/API.md, "Credits
// and billing".
#include <variant>

#include "api/handlers.hpp"
#include "auth/require.hpp"
#include "credits/admin_credit.hpp"
#include "http/body.hpp"

namespace ag::api {

namespace {
constexpr std::uint64_t kMaxBody = 16 << 10;
}  // namespace

/// POST /admin/credits {user_id, amount, reason, idempotency_key} → {ok, applied, balance}.
Task<Response> admin_credits(Ctx& ctx, const Request& request) {
  co_await auth::require_admin(ctx, request);
  Json body = co_await http::read_json_object(ctx, request, kMaxBody);
  std::variant<credits::AdminCredit, std::string> parsed = credits::parse_admin_credit(body);
  if (const auto* problem = std::get_if<std::string>(&parsed)) co_await ctx.raise(errors::invalid_request(*problem));
  const credits::AdminCredit& credit = std::get<credits::AdminCredit>(parsed);

  credits::CreditChange change = co_await credits::apply_admin_credit(ctx, credit);
  ctx.add_log_field("credit_user_id", credit.user_id);
  ctx.add_log_field("credit_amount", credit.amount);
  ctx.add_log_field("credit_applied", change.applied);
  ctx.add_log_field("credit_balance", change.balance);
  co_return json_response(200, {{"ok", true}, {"applied", change.applied}, {"balance", change.balance}});
}

}  // namespace ag::api
