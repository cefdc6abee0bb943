#include "inputs/schema.hpp"

#include <array>
#include <cstdint>
#include <set>

#include "inputs/keywords.hpp"

namespace ag::inputs {
namespace {

constexpr std::array<std::string_view, 6> kObjectKeywords = {"type",  "properties", "required", "additionalProperties",
                                                             "title", "description"};
constexpr std::array<std::string_view, 3> kNumberKeywords = {"minimum", "maximum", "enum"};
constexpr std::array<std::string_view, 4> kStringKeywords = {"minLength", "maxLength", "format", "enum"};
constexpr std::uint64_t kMaxLengthLimit = 1'000'000'000;  // characters; keeps lengths and prices in range

template <std::size_t N>
bool one_of(std::string_view value, const std::array<std::string_view, N>& allowed) {
  for (std::string_view known : allowed)
    if (known == value) return true;
  return false;
}

/// Field names providers take: 1 to 64 of A-Z a-z 0-9 _ -.
bool is_field_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

std::optional<Type> type_named(std::string_view name) {
  if (name == "string") return Type::string;
  if (name == "integer") return Type::integer;
  if (name == "number") return Type::number;
  if (name == "boolean") return Type::boolean;
  return std::nullopt;
}

/// The one type every enum value has (integers before numbers), if they share one.
std::optional<Type> enum_type(const Json& values) {
  for (Type type : {Type::string, Type::boolean, Type::integer, Type::number}) {
    bool all = true;
    for (const Json& value : values)
      all = all && (type == Type::string    ? value.is_string()
                    : type == Type::boolean ? value.is_boolean()
                    : type == Type::integer ? is_integral(value)
                                            : value.is_number());
    if (all) return type;
  }
  return std::nullopt;
}

const char* type_name(Type type) {
  switch (type) {
    case Type::string:
      return "string";
    case Type::integer:
      return "integer";
    case Type::number:
      return "number";
    case Type::boolean:
      return "boolean";
  }
  return "";
}

struct Read {
  Property property;
  std::string problem;
};

Read read_property(const std::string& name, const Json& schema, const std::string& at) {
  Property out;
  out.name = name;
  auto type = schema.find("type");
  auto values = schema.find("enum");
  if (type != schema.end()) {
    auto named = type->is_string() ? type_named(type->get_ref<const std::string&>()) : std::nullopt;
    if (!named)
      return {
          {},
          at + ".type must be string, integer, number or boolean (nested objects, arrays and null are not supported)"};
    out.type = *named;
  }
  if (values != schema.end()) {
    if (values->empty()) return {{}, at + ".enum must list at least one value"};
    auto shared = enum_type(*values);
    if (!shared) return {{}, at + ".enum values must all be strings, all numbers or all booleans"};
    if (type == schema.end()) out.type = *shared;
    for (const Json& value : *values)
      if (auto problem = violation(Json{{"type", type_name(out.type)}}, value, at + ".enum value " + dump(value)))
        return {{}, *problem};
    out.values.assign(values->begin(), values->end());
  } else if (type == schema.end()) {
    return {{}, at + " needs a type or an enum"};
  }
  for (const auto& [key, value] : schema.items()) {
    if (key == "type" || key == "default" || key == "title" || key == "description") continue;
    bool applies = out.type == Type::string                                ? one_of(key, kStringKeywords)
                   : out.type == Type::integer || out.type == Type::number ? one_of(key, kNumberKeywords)
                                                                           : key == "enum";
    if (!applies) return {{}, at + "." + key + " does not apply to type " + type_name(out.type)};
  }
  if (auto minimum = schema.find("minimum"); minimum != schema.end()) out.minimum = *minimum;
  if (auto maximum = schema.find("maximum"); maximum != schema.end()) out.maximum = *maximum;
  if (out.minimum && out.maximum && compare_numbers(*out.minimum, *out.maximum) > 0)
    return {{}, at + ".minimum is above its maximum"};
  if (auto most = schema.find("maxLength"); most != schema.end()) {
    if (compare_numbers(*most, Json(kMaxLengthLimit)) > 0)
      return {{}, at + ".maxLength must be at most " + std::to_string(kMaxLengthLimit)};
    out.max_length = static_cast<std::size_t>(most->get<double>());
    if (auto least = schema.find("minLength"); least != schema.end() && compare_numbers(*least, *most) > 0)
      return {{}, at + ".minLength is above its maxLength"};
  }
  out.asset = schema.contains("format");
  if (auto fallback = schema.find("default"); fallback != schema.end()) {
    if (auto problem = violation(schema, *fallback, at + ".default")) return {{}, *problem};
    out.default_value = *fallback;
  }
  return {std::move(out), ""};
}

/// `value` as the property's type spells it: 2.0 given for an integer is sent as 2.
Json normalized(const Property& property, const Json& value) {
  if (property.type != Type::integer || !value.is_number_float()) return value;
  double d = value.get<double>();
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return value;
  return Json(static_cast<std::int64_t>(d));
}

}  // namespace

const Property* Schema::find(std::string_view name) const {
  for (const Property& property : properties)
    if (property.name == name) return &property;
  return nullptr;
}

CheckedSchema check_schema(const Json& document) {
  const std::string at = "input_schema";
  if (auto problem = unsupported(document, at)) return {std::nullopt, *problem};
  for (const auto& [key, value] : document.items())
    if (!one_of(key, kObjectKeywords)) return {std::nullopt, at + "." + key + " does not apply to the input object"};
  if (document.value("type", Json()) != "object") return {std::nullopt, at + ".type must be \"object\""};
  if (document.value("additionalProperties", Json()) != false)
    return {std::nullopt, at + ".additionalProperties must be false: a job's input holds only declared fields"};
  if (!document.contains("properties")) return {std::nullopt, at + ".properties is required"};

  Schema schema;
  schema.document = document;
  for (const auto& [name, property] : document["properties"].items()) {
    const std::string path = at + ".properties." + name;
    if (!is_field_name(name)) return {std::nullopt, path + ": a field name is 1 to 64 of A-Z a-z 0-9 _ -"};
    auto read = read_property(name, property, path);
    if (!read.problem.empty()) return {std::nullopt, read.problem};
    schema.properties.push_back(std::move(read.property));
  }
  for (const Json& name : document.value("required", Json::array())) {
    bool declared = false;
    for (Property& property : schema.properties)
      if (name.is_string() && property.name == name.get<std::string>()) declared = property.required = true;
    if (!declared) return {std::nullopt, at + ".required names " + dump(name) + ", which is not a property"};
  }
  return {std::move(schema), ""};
}

const Schema& default_schema() {
  static const Schema schema =
      *check_schema(Json{{"type", "object"},
                         {"required", {"prompt"}},
                         {"additionalProperties", false},
                         {"properties",
                          {{"prompt", {{"type", "string"}, {"minLength", 1}, {"maxLength", kMaxPromptCharacters}}}}}})
           .schema;
  return schema;
}

Validated validate(const Schema& schema, const Json& input) {
  Validated out;
  if (auto problem = violation(schema.document, input, "input")) {
    out.problem = *problem;  // "input must be of type object" too: the schema's type is object
    return out;
  }
  for (const Property& property : schema.properties) {
    auto given = input.find(property.name);
    if (given == input.end() && !property.default_value) continue;
    const Json& value = given != input.end() ? *given : *property.default_value;
    out.fields[property.name] = normalized(property, value);
    if (property.asset) out.assets.push_back({property.name, value.get<std::string>()});
  }
  return out;
}

std::optional<std::string> input_map_problem(const Json& input_map, const Schema& schema) {
  if (!input_map.is_object()) return "input_map must be an object of {\"our_name\": \"provider_name\"}";
  for (const auto& [ours, theirs] : input_map.items()) {
    if (!schema.find(ours)) return "input_map." + ours + " is not a property of input_schema";
    if (!theirs.is_string() || !is_field_name(theirs.get_ref<const std::string&>()))
      return "input_map." + ours + " must be a field name (1 to 64 of A-Z a-z 0-9 _ -)";
  }
  std::set<std::string> sent;
  for (const Property& property : schema.properties) {
    std::string name = input_map.value(property.name, property.name);
    if (!sent.insert(name).second) return "input_map sends two fields as " + name;
  }
  return std::nullopt;
}

Json rename(const Json& fields, const Json& input_map) {
  Json out = Json::object();
  for (const auto& [name, value] : fields.items()) out[input_map.value(name, name)] = value;
  return out;
}

}  // namespace ag::inputs
