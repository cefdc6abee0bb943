#pragma once
// A Stripe webhook event (https://docs.stripe.com/api/events/object): the fields
// stripe_apply_event needs, read from a body whose signature has been verified.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ag::billing {

struct StripeEvent {
  std::string id;
  std::string type;
  std::int64_t created = 0;
  Json livemode = nullptr;
  Json object;  // data.object
};

/// The event in `body`; nullopt unless it is a JSON object with all of those fields.
std::optional<StripeEvent> parse_stripe_event(std::string_view body);

}  // namespace ag::billing
