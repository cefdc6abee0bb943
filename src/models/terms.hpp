#pragma once
// A model's terms (docs/models.md): the inputs it takes (input_schema; null: the default, a
// prompt), the names its provider gives them (input_map; null: ours) and its price from them
// (pricing), read and checked together. The admin document checks them before they are saved;
// the jobs' catalog reads them back from each row the same way.
#include <optional>
#include <string>

#include "core/json.hpp"
#include "inputs/pricing.hpp"
#include "inputs/schema.hpp"

namespace ag::models {

struct Terms {
  inputs::Schema schema;
  Json input_map = Json::object();
  inputs::Pricing pricing;
};

/// The terms, or `problem` naming the path of the first thing wrong ("input_map.x: ...").
struct CheckedTerms {
  std::optional<Terms> terms;
  std::string problem;
};

CheckedTerms check_terms(const Json& input_schema, const Json& input_map, const Json& pricing);

}  // namespace ag::models
