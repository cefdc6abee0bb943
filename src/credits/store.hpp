#pragma once
// Credits: the balance, the ledger, grants and adjustments. Money moves only through the SQL
// functions of migrations/functions/credits.sql, one call = one transaction; this file
// calls them (the statements of tests/integration/harness/ledger.mjs) and reads the
// append-only credit_ledger. Their errors (400 / 402 / 422) are raised as API errors.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/user.hpp"
#include "core/config.hpp"
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::credits {

/// WELCOME_CREDITS: what `user` is given once, when first seen (default 10, 0..1'000'000);
/// 0 for an anonymous sign-in, which anyone can repeat at will.
std::uint64_t welcome_credits(const Config& config, const auth::User& user);

/// GET /credits' read, in one statement: the user's balance and up to `limit` of the newest
/// ledger entries (ledger_entry form). With `welcome` > 0, a user who never had the welcome
/// grant gets it first (once per user, whatever the concurrency), and it is listed; 0 only reads.
struct CreditsOverview {
  std::int64_t balance = 0;
  Json entries = Json::array();
};
Task<CreditsOverview> credits_overview(Ctx& ctx, const std::string& user_id, std::uint64_t welcome,
                                       std::uint32_t limit);

/// A credit_ledger row as the API shows it: {"id","delta","kind","reason","job_id","created_at"}
/// with the bigint columns as JSON numbers.
Json ledger_entry(const Json& row);

/// Up to `limit` of the user's ledger entries (ledger_entry form), newest (highest id) first,
/// only those with an id below `before_id` when given.
Task<Json> ledger_entries(Ctx& ctx, const std::string& user_id, std::optional<std::int64_t> before_id,
                          std::uint32_t limit);

/// What a grant or an adjustment did: applied = false when its idempotency key had been used
/// (for the same user, kind and amount); the balance is the current one either way.
struct CreditChange {
  bool applied = false;
  std::int64_t balance = 0;
};

/// Adds `amount` > 0 credits of `kind` ("purchase" or "grant") once per `idempotency_key`.
Task<CreditChange> grant_credits(Ctx& ctx, const std::string& user_id, std::int64_t amount, std::string_view kind,
                                 std::string_view idempotency_key, std::string_view reason);

/// Adds `delta` ≠ 0 credits as an adjustment, once per `idempotency_key`; a negative delta
/// larger than the balance raises 402 insufficient_credits and changes nothing.
Task<CreditChange> adjust_credits(Ctx& ctx, const std::string& user_id, std::int64_t delta,
                                  std::string_view idempotency_key, std::string_view reason);

}  // namespace ag::credits
