#pragma once
// The user's Stripe customer (seeds/004 "Function creates/gets Stripe customer"): the one
// recorded in stripe_customers, else a new one created at Stripe (metadata[user_id]) and
// recorded. Raises 502 provider_error when Stripe does not create it.
#include <string>

#include "auth/user.hpp"
#include "core/ctx.hpp"
#include "core/task.hpp"
#include "providers/stripe.hpp"

namespace ag::billing {

Task<std::string> ensure_customer(Ctx& ctx, const stripe::Settings& settings, const auth::User& user);

/// Raises 502 provider_error for a Stripe call that did not answer what `what` needed,
/// logging Stripe's status and error type (never the request, which carries the key).
Task<> raise_stripe_failure(Ctx& ctx, std::string_view what, const EffectResult& reply);

}  // namespace ag::billing
