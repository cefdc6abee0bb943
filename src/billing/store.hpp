#pragma once
// Billing's SQL (migrations/functions/billing.sql): reading the catalog, customers and
// subscriptions, and the two functions that write: link_stripe_customer and
// stripe_apply_event (which records the event and moves credits through the ledger).
#include <optional>
#include <cstdint>
#include <string>
#include <vector>

#include "billing/stripe_event.hpp"
#include "core/ctx.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::billing {

/// A catalog item as the API shows it: {"id","kind","name","credits","price_id","mode",
/// "interval"} (mode: payment for packs, subscription for plans; interval null for packs).
struct Product {
  std::string id;
  std::string kind;  // "pack" or "plan"
  std::string price_id;
  Json json;
};

/// Every enabled item, packs then plans, in their sort order.
Task<std::vector<Product>> catalog(Ctx& ctx);

/// How a checkout names what it buys: one of our ids (of a pack or a plan) or a Stripe price.
struct ProductRef {
  std::string field;  // "pack_id", "plan_id" or "price_id"
  std::string value;
};

/// The enabled item `ref` names; nullopt when there is none.
Task<std::optional<Product>> find_product(Ctx& ctx, const ProductRef& ref);

/// The user's Stripe customer id, when they have one.
Task<std::optional<std::string>> customer_of(Ctx& ctx, const std::string& user_id);

/// Records `customer_id` for the user unless they already have one; returns the one kept.
Task<std::string> link_customer(Ctx& ctx, const std::string& user_id, const std::string& customer_id);

/// The user's current subscription: {"subscription_id","status","plan_id","price_id",
/// "current_period_end","cancel_at_period_end","payment_failed_at"}, or null. A live one
/// (active, trialing, past_due) before any other; the most recently updated first.
Task<Json> current_subscription(Ctx& ctx, const std::string& user_id);

/// What GET /me shows of a user's money: the balance and current_subscription's answer.
struct Account {
  std::int64_t balance = 0;
  Json subscription;
};

/// The balance (with the welcome grant of public.user_credits, `welcome` > 0) and the current
/// subscription, read in one statement.
Task<Account> account(Ctx& ctx, const std::string& user_id, std::uint64_t welcome);

/// Records the event (once per id) and applies it; returns the outcome ("duplicate",
/// "granted", "stale", "ignored", "unknown_customer", ... see the migration).
Task<std::string> apply_event(Ctx& ctx, const StripeEvent& event);

}  // namespace ag::billing
