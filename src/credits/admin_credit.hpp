#pragma once
// The body of POST /admin/credits (shared/API.md, "Credits and billing"): the admin grants
// credits (amount > 0) or corrects a balance (amount < 0), once per idempotency key.
#include <cstdint>
#include <string>
#include <variant>

#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"
#include "credits/store.hpp"

namespace ag::credits {

struct AdminCredit {
  std::string user_id;  // lower-case UUID
  std::int64_t amount = 0;
  std::string reason;
  std::string idempotency_key;  // the ledger's: the admin's key under its own prefix
};

/// The body's fields, or the message naming the first one that is wrong.
std::variant<AdminCredit, std::string> parse_admin_credit(const Json& body);

/// Grants a positive amount, adjusts by a negative one.
Task<CreditChange> apply_admin_credit(Ctx& ctx, const AdminCredit& credit);

}  // namespace ag::credits
