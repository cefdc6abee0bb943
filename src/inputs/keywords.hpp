#pragma once
// The JSON Schema keywords input schemas may use, with their draft-7 meaning
// (https://json-schema.org/draft-07/json-schema-validation.html): type, enum, minimum, maximum,
// minLength, maxLength, properties, required, additionalProperties (true or false), and the
// annotations default, title, description and format ("asset" only, an asset key: assets/key).
// Anything else is refused where a schema is checked, so a schema never means more than what
// is checked. These are the general rules, checked against the official JSON-Schema-Test-Suite
// (tests/schema-suite); what a model's schema may be (flat, typed) is schema.cpp's.
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ag::inputs {

/// Where `schema` steps outside the keywords above: "input_schema.properties.a: $ref is not
/// supported", `path` naming the schema itself; nullopt when it uses only them.
std::optional<std::string> unsupported(const Json& schema, const std::string& path);

/// The first way `instance` fails `schema` (one `unsupported` accepts), as a message naming the
/// member ("input.steps must be at most 1000", `path` naming the instance); nullopt when it conforms.
std::optional<std::string> violation(const Json& schema, const Json& instance, const std::string& path);

/// JSON numbers compared by value, exactly, across integers and floats: <0, 0 or >0.
int compare_numbers(const Json& a, const Json& b);

/// An integer in JSON Schema's sense: a number without a fractional part (1.0 is one).
bool is_integral(const Json& value);

}  // namespace ag::inputs
