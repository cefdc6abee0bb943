// POST /admin/credits: the admin grants credits (amount > 0) or corrects a balance
// (amount < 0), once per idempotency key. shared/API.md, "Credits and billing".
#include "http/body.hpp"
#include "api/handlers.hpp"
#include "auth/require.hpp"
#include "core/utf8.hpp"
#include "core/uuid.hpp"
#include "credits/store.hpp"

namespace ag::api {

namespace {
constexpr std::uint64_t kMaxBody = 16 << 10;
constexpr std::int64_t kMaxAmount = 1'000'000'000;
constexpr std::size_t kMaxReason = 200;  // characters
constexpr std::size_t kMaxKey = 255;     // characters
// NOTE: ledger keys are one global namespace (welcome:<user>, reserve:<job>, refund:<job>,
// Stripe's): the admin's keys get their own prefix, so no admin key can take the place of, or
// block, an entry the system will write.
constexpr std::string_view kKeyPrefix = "admin:";

struct AdminCredit {
  std::string user_id;
  std::int64_t amount = 0;
  std::string reason;
  std::string idempotency_key;
};

/// The body's fields, or the message naming the first one that is wrong.
struct Parsed {
  AdminCredit credit;
  std::string problem;
};

Parsed parse(const Json& body) {
  Parsed out;
  auto user_id = string_field(body, "user_id");
  if (!user_id || !is_uuid(*user_id)) return {{}, "user_id must be a UUID"};
  out.credit.user_id = lowercase_uuid(*user_id);

  auto amount = body.find("amount");
  bool integer = amount != body.end() && amount->is_number_integer();
  if (integer && amount->is_number_unsigned()) {
    auto value = amount->get<std::uint64_t>();
    integer = value <= static_cast<std::uint64_t>(kMaxAmount);
    if (integer) out.credit.amount = static_cast<std::int64_t>(value);
  } else if (integer) {
    auto value = amount->get<std::int64_t>();
    integer = value >= -kMaxAmount && value <= kMaxAmount;
    if (integer) out.credit.amount = value;
  }
  if (!integer || out.credit.amount == 0)
    return {{}, "amount must be a non-zero integer from -1000000000 to 1000000000"};

  auto reason = string_field(body, "reason");
  if (!reason || reason->empty() || code_points(*reason) > kMaxReason)
    return {{}, "reason must be a string of 1 to 200 characters"};
  out.credit.reason = std::move(*reason);

  auto key = string_field(body, "idempotency_key");
  if (!key || key->empty() || code_points(*key) > kMaxKey)
    return {{}, "idempotency_key must be a string of 1 to 255 characters"};
  out.credit.idempotency_key = std::string(kKeyPrefix) + *key;
  return out;
}
}  // namespace

/// POST /admin/credits {user_id, amount, reason, idempotency_key} → {ok, applied, balance}.
Task<Response> admin_credits(Ctx& ctx, const Request& request) {
  co_await auth::require_admin(ctx, request);
  Json body = co_await http::read_json_object(ctx, request, kMaxBody);
  Parsed parsed = parse(body);
  if (!parsed.problem.empty()) co_await ctx.raise(errors::invalid_request(parsed.problem));
  const AdminCredit& credit = parsed.credit;

  credits::CreditChange change;
  if (credit.amount > 0) {
    change = co_await credits::grant_credits(ctx, credit.user_id, credit.amount, "grant", credit.idempotency_key,
                                             credit.reason);
  } else {
    change =
        co_await credits::adjust_credits(ctx, credit.user_id, credit.amount, credit.idempotency_key, credit.reason);
  }
  ctx.add_log_field("credit_user_id", credit.user_id);
  ctx.add_log_field("credit_amount", credit.amount);
  ctx.add_log_field("credit_applied", change.applied);
  ctx.add_log_field("credit_balance", change.balance);
  co_return json_response(200, {{"ok", true}, {"applied", change.applied}, {"balance", change.balance}});
}

}  // namespace ag::api
