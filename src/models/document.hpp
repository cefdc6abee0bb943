#pragma once
// The model document of PUT /admin/models/:id: {"provider", "provider_model", "content_type",
// "pricing", "input_schema", "input_map", "enabled", "default", "endpoint_id", "fallback_model",
// "max_attempts"}. provider, content_type and pricing are required; the others default to the
// model's id (provider_model), a required prompt of up to 4000 characters (input_schema), our
// names (input_map), true, false, null, null and 1. The schema, map and pricing are checked
// together (models/terms.hpp). Whether the fallback exists and makes the same content type is
// put_model's to check. Unknown fields are refused, so a misspelt one is never silently ignored.
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "models/store.hpp"

namespace ag::models {

/// A model's id: 1 to 128 of A-Z a-z 0-9 . _ - starting with a letter or digit.
bool is_model_id(std::string_view id);

/// The model the document describes, or `problem`: the message naming the first bad field.
struct Parsed {
  Model model;
  std::string problem;
};

Parsed parse_document(std::string_view id, const Json& document);

}  // namespace ag::models
