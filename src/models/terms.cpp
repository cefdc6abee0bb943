#include "models/terms.hpp"

namespace ag::models {

CheckedTerms check_terms(const Json& input_schema, const Json& input_map, const Json& pricing) {
  Terms terms;
  if (input_schema.is_null()) {
    terms.schema = inputs::default_schema();
  } else {
    inputs::CheckedSchema checked = inputs::check_schema(input_schema);
    if (!checked.schema) return {std::nullopt, checked.problem};
    terms.schema = std::move(*checked.schema);
  }
  if (!input_map.is_null()) {
    if (auto problem = inputs::input_map_problem(input_map, terms.schema)) return {std::nullopt, *problem};
    terms.input_map = input_map;
  }
  inputs::CheckedPricing checked = inputs::check_pricing(pricing, terms.schema);
  if (!checked.pricing) return {std::nullopt, checked.problem};
  terms.pricing = std::move(*checked.pricing);
  return {std::move(terms), ""};
}

}  // namespace ag::models
