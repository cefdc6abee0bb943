#pragma once
// A model's price from its inputs (issue 23; docs/models.md "Pricing"): the pricing document
//   {"base": 1,                                         credits per job
//    "per": {"duration": 2},                            per unit of an integer or number input
//    "per_1000_characters": {"text": 0.5},              per 1,000 characters of a string input
//    "per_value": {"quality": {"standard": 1, "hd": 4}} per value of an enum input
//    "per_megapixel": {"width": "width", "height": "height", "price": 0.5}
//    "times": "num_outputs",                            all of the above, per count of an integer input
//    "usage": {"output_tokens": {"per_1000": 0.6, "at_most": "max_tokens"}}}
// checked against the schema it prices. Prices are decimals of at most 6 places; the sum is
// computed exactly in integers and rounded up to whole credits once, at the end. A pricing
// whose most expensive input would cost more than kMaxCredits is refused, so no sum overflows.
//
// Usage-priced models (a meter in `usage`: tokens, seconds the provider reports) are charged
// the price with every meter at its bound when the job is created (`price`, the reservation)
// and settled on completion at what the provider reported (`settle`), never above that.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/json.hpp"
#include "inputs/amount.hpp"
#include "inputs/schema.hpp"

namespace ag::inputs {

/// The most one job may cost, in credits (the bound model rows' flat cost_credits have).
inline constexpr std::int64_t kMaxCredits = 1'000'000;

struct Pricing {
  struct PerUnit {  // `price` per unit (per 1,000 characters for strings) of `field`
    std::string field;
    Micros price = 0;
  };
  struct PerValue {
    std::string field;
    std::vector<std::pair<Json, Micros>> prices;  // one per enum value
  };
  struct PerMegapixel {
    std::string width, height;
    Micros price = 0;
  };
  struct Meter {  // `price` per `per` units the provider reports, counted up to `at_most`
    std::string name;
    Micros price = 0;
    std::int64_t per = 1;                       // 1 or 1000
    std::variant<std::string, Micros> at_most;  // an input field, or a fixed quantity
  };
  Micros base = 0;
  std::vector<PerUnit> per, per_1000_characters;
  std::vector<PerValue> per_value;
  std::optional<PerMegapixel> per_megapixel;
  std::optional<std::string> times;
  std::vector<Meter> usage;
  std::int64_t max_credits = 0;  // what the most expensive input the schema allows costs
};

/// The pricing, or `problem` naming the path of the first thing wrong ("pricing.per.steps: ...").
struct CheckedPricing {
  std::optional<Pricing> pricing;
  std::string problem;
};

/// Checks a pricing document against the schema it prices: every field it names is declared,
/// of a type it can price, bounded, and required or defaulted (what the provider gets is priced).
CheckedPricing check_pricing(const Json& document, const Schema& schema);

/// The credits a job with these validated fields costs; for a usage-priced model, the most it
/// may cost (every meter at its bound): what is reserved.
std::int64_t price(const Pricing& pricing, const Json& fields);

/// What a usage-priced job costs once the provider reported `usage` ({"output_tokens": 812});
/// a meter it does not report counts at its bound. Never more than price(pricing, fields).
std::int64_t settle(const Pricing& pricing, const Json& fields, const Json& usage);

}  // namespace ag::inputs
