#pragma once
// A model's input schema (issue 23; docs/models.md): a flat object of typed properties in the
// JSON Schema subset of keywords.hpp. check_schema refuses anything else, naming where;
// validate checks a job's input against it, fills the defaults and keeps only declared fields,
// and rename turns them into what the provider receives (the model's input_map).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace ag::inputs {

/// The prompt limit of a model that declares no schema, as POST /jobs has always had it.
inline constexpr std::size_t kMaxPromptCharacters = 4000;

enum class Type { string, integer, number, boolean };

/// One declared input, read off its schema.
struct Property {
  std::string name;
  Type type = Type::string;
  bool required = false;
  bool asset = false;  // "format": "asset": a key of /assets the job links to
  std::optional<Json> default_value;
  std::optional<Json> minimum, maximum;
  std::optional<std::size_t> max_length;
  std::vector<Json> values;  // the enum's, in order; empty without one
};

struct Schema {
  Json document;                     // as the admin gave it
  std::vector<Property> properties;  // in the document's (sorted) key order

  const Property* find(std::string_view name) const;
};

/// The schema, or `problem` naming the path of the first thing outside the subset.
struct CheckedSchema {
  std::optional<Schema> schema;
  std::string problem;
};

/// Checks a model's schema document (its path in messages is "input_schema").
CheckedSchema check_schema(const Json& document);

/// The schema of a model that declares none: a required `prompt` of 1 to 4000 characters, nothing else.
const Schema& default_schema();

/// An asset an input names: the job checks the caller may read it and sends a signed link.
struct AssetInput {
  std::string field;
  std::string key;
};

/// A job's input after validate: `fields` holds exactly the declared fields given or defaulted
/// (integers spelt as integers), under our names.
struct Validated {
  Json fields = Json::object();
  std::vector<AssetInput> assets;
  std::string problem;  // when refused: "input.num_outputs must be at most 4"
};

Validated validate(const Schema& schema, const Json& input);

/// Why an input_map ({"our_name": "provider_name"}) does not fit the schema (an unknown field,
/// two fields sent under one name); nullopt when it does. Its path in messages is "input_map".
std::optional<std::string> input_map_problem(const Json& input_map, const Schema& schema);

/// The validated fields as the provider names them.
Json rename(const Json& fields, const Json& input_map);

}  // namespace ag::inputs
