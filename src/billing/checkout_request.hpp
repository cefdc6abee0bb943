#pragma once
// What POST /billing/checkout and POST /billing/portal ask for (shared/API.md): the product,
// the pages Stripe sends the caller back to, and the Idempotency-Key of the Stripe call. Each
// reader raises 400 naming what is wrong.
#include <string>
#include <string_view>

#include "billing/store.hpp"
#include "core/ctx.hpp"
#include "core/http.hpp"
#include "core/json.hpp"
#include "core/task.hpp"

namespace ag::billing {

/// Which of pack_id / plan_id / price_id the body names (exactly one, a non-empty string).
Task<ProductRef> product_ref(Ctx& ctx, const Json& body);

/// The body's `field`, or the default page with `query`; it must be on an allowed origin
/// (CORS_ORIGINS) or the console of this API (`own_base`: http::public_base_url).
// NOTE: `field` and `query` must outlive the task (callers pass literals).
Task<std::string> return_url(Ctx& ctx, const Json& body, std::string_view field, std::string_view query,
                             const std::string& own_base);

/// Stripe's Idempotency-Key for this request: the caller's own key (scoped to the caller and
/// the endpoint, so a retry gets the same session), else a fresh one.
Task<std::string> stripe_idempotency_key(Ctx& ctx, const Request& request, const std::string& user_id,
                                         std::string_view endpoint);

}  // namespace ag::billing
