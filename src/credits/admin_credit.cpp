#include "credits/admin_credit.hpp"

#include <string_view>
#include <utility>

#include "core/utf8.hpp"
#include "core/uuid.hpp"

namespace ag::credits {
namespace {
constexpr std::int64_t kMaxAmount = 1'000'000'000;
constexpr std::size_t kMaxReason = 200;  // characters
constexpr std::size_t kMaxKey = 255;     // characters
// NOTE: ledger keys are one global namespace (welcome:<user>, reserve:<job>, refund:<job>,
// Stripe's): the admin's keys get their own prefix, so no admin key can take the place of, or
// block, an entry the system will write.
constexpr std::string_view kKeyPrefix = "admin:";
}  // namespace

std::variant<AdminCredit, std::string> parse_admin_credit(const Json& body) {
  AdminCredit credit;
  auto user_id = string_field(body, "user_id");
  if (!user_id || !is_uuid(*user_id)) return "user_id must be a UUID";
  credit.user_id = lowercase_uuid(*user_id);

  auto amount = body.find("amount");
  bool integer = amount != body.end() && amount->is_number_integer();
  if (integer && amount->is_number_unsigned()) {
    auto value = amount->get<std::uint64_t>();
    integer = value <= static_cast<std::uint64_t>(kMaxAmount);
    if (integer) credit.amount = static_cast<std::int64_t>(value);
  } else if (integer) {
    auto value = amount->get<std::int64_t>();
    integer = value >= -kMaxAmount && value <= kMaxAmount;
    if (integer) credit.amount = value;
  }
  if (!integer || credit.amount == 0) return "amount must be a non-zero integer from -1000000000 to 1000000000";

  auto reason = string_field(body, "reason");
  if (!reason || reason->empty() || code_points(*reason) > kMaxReason)
    return "reason must be a string of 1 to 200 characters";
  credit.reason = std::move(*reason);

  auto key = string_field(body, "idempotency_key");
  if (!key || key->empty() || code_points(*key) > kMaxKey)
    return "idempotency_key must be a string of 1 to 255 characters";
  credit.idempotency_key = std::string(kKeyPrefix) + *key;
  return credit;
}

Task<CreditChange> apply_admin_credit(Ctx& ctx, const AdminCredit& credit) {
  if (credit.amount > 0)
    co_return co_await grant_credits(ctx, credit.user_id, credit.amount, "grant", credit.idempotency_key,
                                     credit.reason);
  co_return co_await adjust_credits(ctx, credit.user_id, credit.amount, credit.idempotency_key, credit.reason);
}

}  // namespace ag::credits
