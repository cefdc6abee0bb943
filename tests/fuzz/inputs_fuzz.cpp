// A model's input schema and pricing (src/inputs) on hostile documents, inputs and usage
// reports. Input: "<input_schema>\0<pricing>\0<input>\0<usage or input_map>". Checks what the
// job relies on: a validated input holds only declared fields and still conforms, its price is
// within what check_pricing promised, and settling never exceeds the reservation.
#include <cstdint>
#include <string>

#include "core/json.hpp"
#include "inputs/keywords.hpp"
#include "inputs/pricing.hpp"
#include "inputs/schema.hpp"
#include "support/fake_shim.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto [schema_text, rest] = ag::fuzz::split(text);
  auto [pricing_text, rest2] = ag::fuzz::split(rest);
  auto [input_text, extra_text] = ag::fuzz::split(rest2);
  auto document = ag::parse_json(schema_text);
  if (!document) return 0;
  for (const auto& [key, value] : document->items()) ag::inputs::to_micros(value, ag::inputs::Rounding::up);
  auto schema = ag::inputs::check_schema(*document);
  if (!schema.schema) return 0;

  auto input = ag::parse_json(input_text).value_or(ag::Json::object());
  auto valid = ag::inputs::validate(*schema.schema, input);
  if (!valid.problem.empty()) return 0;
  for (const auto& [name, value] : valid.fields.items())
    if (!schema.schema->find(name)) __builtin_trap();
  if (ag::inputs::violation(schema.schema->document, valid.fields, "input")) __builtin_trap();
  for (const auto& asset : valid.assets)
    if (valid.fields[asset.field] != asset.key) __builtin_trap();

  auto extra = ag::parse_json(extra_text).value_or(ag::Json::object());
  if (!ag::inputs::input_map_problem(extra, *schema.schema) &&
      ag::inputs::rename(valid.fields, extra).size() != valid.fields.size())
    __builtin_trap();

  auto pricing_document = ag::parse_json(pricing_text);
  if (!pricing_document) return 0;
  auto pricing = ag::inputs::check_pricing(*pricing_document, *schema.schema);
  if (!pricing.pricing) return 0;
  const auto max = pricing.pricing->max_credits;
  if (max < 0 || max > ag::inputs::kMaxCredits) __builtin_trap();
  const auto reserved = ag::inputs::price(*pricing.pricing, valid.fields);
  if (reserved < 0 || reserved > max) __builtin_trap();
  const auto settled = ag::inputs::settle(*pricing.pricing, valid.fields, extra);
  if (settled < 0 || settled > reserved) __builtin_trap();
  return 0;
}
