#include "inputs/keywords.hpp"

#include <array>
#include <cmath>
#include <cstdint>

#include "assets/key.hpp"
#include "core/utf8.hpp"

namespace ag::inputs {
namespace {

constexpr std::array<std::string_view, 7> kTypes = {"object",  "string", "integer", "number",
                                                    "boolean", "array",  "null"};

std::string member(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

bool is_type(const Json& value, std::string_view type) {
  if (type == "object") return value.is_object();
  if (type == "string") return value.is_string();
  if (type == "integer") return is_integral(value);
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "array") return value.is_array();
  return value.is_null();
}

bool known_type(const Json& name) {
  for (std::string_view type : kTypes)
    if (name.is_string() && name.get_ref<const std::string&>() == type) return true;
  return false;
}

bool is_count(const Json& value) { return is_integral(value) && compare_numbers(value, Json(0)) >= 0; }

template <typename T>
int sign(T a, T b) {
  return (a > b) - (a < b);
}

// NOTE: 2^63 and 2^64 are exact doubles, so the range tests below are exact; inside the range
// the truncated double converts exactly and only its fraction is left to compare.
int compare_signed(std::int64_t i, double d) {
  if (d >= 9223372036854775808.0) return -1;
  if (d < -9223372036854775808.0) return 1;
  double whole = std::trunc(d);
  if (int s = sign(i, static_cast<std::int64_t>(whole))) return s;
  return sign(whole, d);
}

int compare_unsigned(std::uint64_t u, double d) {
  if (d >= 18446744073709551616.0) return -1;
  if (d < 0) return 1;
  double whole = std::trunc(d);
  if (int s = sign(u, static_cast<std::uint64_t>(whole))) return s;
  return sign(whole, d);
}

std::string characters(const Json& count) { return dump(count) + (count == 1 ? " character" : " characters"); }

std::string listing(const Json& values) {
  std::string out;
  for (const Json& value : values) out += (out.empty() ? "" : ", ") + dump(value);
  return out;
}

}  // namespace

bool is_integral(const Json& value) {
  if (value.is_number_integer()) return true;
  if (!value.is_number_float()) return false;
  double d = value.get<double>();
  return std::isfinite(d) && std::trunc(d) == d;
}

int compare_numbers(const Json& a, const Json& b) {
  if (a.is_number_float() && b.is_number_float()) return sign(a.get<double>(), b.get<double>());
  if (a.is_number_float()) return -compare_numbers(b, a);
  if (b.is_number_float())
    return a.is_number_unsigned() ? compare_unsigned(a.get<std::uint64_t>(), b.get<double>())
                                  : compare_signed(a.get<std::int64_t>(), b.get<double>());
  if (a.is_number_unsigned() && b.is_number_unsigned()) return sign(a.get<std::uint64_t>(), b.get<std::uint64_t>());
  if (a.is_number_unsigned())
    return b.get<std::int64_t>() < 0 ? 1 : sign(a.get<std::uint64_t>(), b.get<std::uint64_t>());
  if (b.is_number_unsigned()) return -compare_numbers(b, a);
  return sign(a.get<std::int64_t>(), b.get<std::int64_t>());
}

std::optional<std::string> unsupported(const Json& schema, const std::string& path) {
  if (!schema.is_object()) return path + " must be an object (a schema)";
  for (const auto& [key, value] : schema.items()) {
    const std::string at = path + "." + key;
    if (key == "type") {
      bool ok = known_type(value) || (value.is_array() && !value.empty());
      if (value.is_array())
        for (const Json& name : value) ok = ok && known_type(name);
      if (!ok)
        return at + " must name a type (object, string, integer, number, boolean, array, null) or a list of them";
    } else if (key == "enum") {
      if (!value.is_array()) return at + " must be an array";
    } else if (key == "minimum" || key == "maximum") {
      if (!value.is_number()) return at + " must be a number";
    } else if (key == "minLength" || key == "maxLength") {
      if (!is_count(value)) return at + " must be a non-negative integer";
    } else if (key == "properties") {
      if (!value.is_object()) return at + " must be an object";
      for (const auto& [name, property] : value.items())
        if (auto problem = unsupported(property, at + "." + name)) return problem;
    } else if (key == "required") {
      bool ok = value.is_array();
      for (const Json& name : value) ok = ok && name.is_string();
      if (!ok) return at + " must be an array of property names";
    } else if (key == "additionalProperties") {
      if (!value.is_boolean()) return at + " must be true or false (a schema there is not supported)";
    } else if (key == "title" || key == "description") {
      if (!value.is_string()) return at + " must be a string";
    } else if (key == "format") {
      if (value != "asset") return at + " must be \"asset\" (no other format is supported)";
    } else if (key != "default") {
      return at + " is not supported";
    }
  }
  return std::nullopt;
}

std::optional<std::string> violation(const Json& schema, const Json& instance, const std::string& path) {
  const std::string& name = path.empty() ? std::string("the value") : path;
  if (auto type = schema.find("type"); type != schema.end()) {
    bool matches = false;
    for (const Json& one : type->is_array() ? *type : Json::array({*type}))
      matches = matches || is_type(instance, one.get_ref<const std::string&>());
    if (!matches)
      return name + " must be of type " + (type->is_array() ? listing(*type) : type->get_ref<const std::string&>());
  }
  if (auto values = schema.find("enum"); values != schema.end()) {
    bool found = false;
    for (const Json& value : *values) found = found || value == instance;
    if (!found) return name + " must be one of " + listing(*values);
  }
  if (instance.is_number()) {
    if (auto minimum = schema.find("minimum"); minimum != schema.end() && compare_numbers(instance, *minimum) < 0)
      return name + " must be at least " + dump(*minimum);
    if (auto maximum = schema.find("maximum"); maximum != schema.end() && compare_numbers(instance, *maximum) > 0)
      return name + " must be at most " + dump(*maximum);
  }
  if (instance.is_string()) {
    const auto length = Json(code_points(instance.get_ref<const std::string&>()));
    if (auto least = schema.find("minLength"); least != schema.end() && compare_numbers(length, *least) < 0)
      return name + " must be at least " + characters(*least);
    if (auto most = schema.find("maxLength"); most != schema.end() && compare_numbers(length, *most) > 0)
      return name + " must be at most " + characters(*most);
    if (schema.contains("format"))
      if (auto problem = assets::key_problem(instance.get_ref<const std::string&>()))
        return name + " must be an asset key: " + *problem;
  }
  if (!instance.is_object()) return std::nullopt;
  const Json none = Json::object();
  auto properties = schema.find("properties");
  const Json& declared = properties != schema.end() ? *properties : none;
  if (auto required = schema.find("required"); required != schema.end())
    for (const Json& key : *required)
      if (!instance.contains(key.get_ref<const std::string&>()))
        return member(path, key.get_ref<const std::string&>()) + " is required";
  for (const auto& [key, value] : instance.items()) {
    auto property = declared.find(key);
    if (property == declared.end()) {
      if (schema.value("additionalProperties", true) == false) return member(path, key) + " is not allowed";
      continue;
    }
    if (auto problem = violation(*property, value, member(path, key))) return problem;
  }
  return std::nullopt;
}

}  // namespace ag::inputs
