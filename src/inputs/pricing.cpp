#include "inputs/pricing.hpp"

#include <algorithm>
#include <initializer_list>

#include "core/utf8.hpp"
#include "inputs/keywords.hpp"

namespace ag::inputs {
namespace {

// NOTE: sums are kept in 10^-15 credits, the finest unit a term needs (a millionth of a credit
// per 1,000 tokens, for a millionth of a token), so every term is an exact integer.
using Femtos = unsigned __int128;
constexpr Femtos kFemtosPerCredit = 1'000'000'000'000'000;
constexpr Femtos kCap = kFemtosPerCredit * kMaxCredits;

/// The quantity each rule of a pricing counts, in its order.
struct Quantities {
  std::vector<Micros> per;
  std::vector<std::int64_t> characters;
  std::vector<Micros> value_prices;
  std::int64_t width = 0, height = 0, times = 1;
  std::vector<Micros> meters;
};

/// The product of `factors`, or nullopt when it exceeds the cap (checked before multiplying,
/// so nothing overflows).
std::optional<Femtos> product(std::initializer_list<Femtos> factors) {
  for (Femtos factor : factors)
    if (factor == 0) return 0;
  Femtos out = 1;
  for (Femtos factor : factors) {
    if (factor > kCap / out) return std::nullopt;
    out *= factor;
  }
  return out;
}

std::optional<Femtos> total(const Pricing& pricing, const Quantities& q) {
  std::optional<Femtos> sum = product({static_cast<Femtos>(pricing.base), 1'000'000'000});
  auto add = [&](std::initializer_list<Femtos> factors) {
    auto term = product(factors);
    sum = sum && term && *term <= kCap - *sum ? std::optional<Femtos>(*sum + *term) : std::nullopt;
  };
  for (std::size_t i = 0; i < pricing.per.size(); ++i)
    add({static_cast<Femtos>(pricing.per[i].price), static_cast<Femtos>(q.per[i]), 1000});
  for (std::size_t i = 0; i < pricing.per_1000_characters.size(); ++i)
    add({static_cast<Femtos>(pricing.per_1000_characters[i].price), static_cast<Femtos>(q.characters[i]), 1'000'000});
  for (Micros price : q.value_prices) add({static_cast<Femtos>(price), 1'000'000'000});
  if (pricing.per_megapixel)
    add({static_cast<Femtos>(pricing.per_megapixel->price), static_cast<Femtos>(q.width), static_cast<Femtos>(q.height),
         1000});
  for (std::size_t i = 0; i < pricing.usage.size(); ++i)
    add({static_cast<Femtos>(pricing.usage[i].price), static_cast<Femtos>(q.meters[i]),
         static_cast<Femtos>(1000 / pricing.usage[i].per)});
  if (!sum) return std::nullopt;
  return product({*sum, static_cast<Femtos>(q.times)});
}

std::int64_t whole_credits(Femtos femtos) {
  return static_cast<std::int64_t>((femtos + kFemtosPerCredit - 1) / kFemtosPerCredit);
}

/// The key of an enum value in per_value: a string as itself, another value as its JSON.
std::string value_key(const Json& value) { return value.is_string() ? value.get<std::string>() : dump(value); }

bool is_meter_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

/// A field's value in millionths, rounded up; its bound when it is missing or unreadable.
Micros quantity(const Json& fields, const std::string& name, Micros bound) {
  auto value = fields.find(name);
  auto micros = value != fields.end() ? to_micros(*value, Rounding::up) : std::nullopt;
  return micros ? std::min(*micros, bound) : bound;
}

/// Reads a pricing document against its schema, one rule at a time, into `out` and the
/// quantities of the most expensive input (`most`); the first problem found is kept.
struct Reader {
  const Schema& schema;
  Pricing out;
  Quantities most;
  std::string problem;

  bool fail(std::string message) {
    if (problem.empty()) problem = std::move(message);
    return false;
  }

  bool object(const Json& value, const std::string& at) { return value.is_object() || fail(at + " must be an object"); }

  std::optional<Micros> amount(const Json& value, const std::string& at) {
    auto micros = to_micros(value, Rounding::exact);
    if (micros && *micros <= kMaxCredits * kMicrosPerUnit) return micros;
    fail(at + " must be a number of credits from 0 to 1000000 with at most 6 decimal places");
    return std::nullopt;
  }

  /// The declared field `name` names, if it is of one of `types` and always has a value.
  const Property* field(const Json& name, const std::string& at, std::initializer_list<Type> types) {
    const Property* property = name.is_string() ? schema.find(name.get<std::string>()) : nullptr;
    if (!property) return fail(at + " must name a field of input_schema"), nullptr;
    if (std::find(types.begin(), types.end(), property->type) == types.end() || property->asset)
      return fail(at + ": " + property->name + " is not a field this rule can price"), nullptr;
    if (!property->required && !property->default_value)
      return fail(at + ": " + property->name +
                  " must be required or have a default, so what the provider gets is priced"),
             nullptr;
    return property;
  }

  /// The largest value a number field may take, in millionths (whole units for integers).
  std::optional<Micros> upper_bound(const Property& property, const std::string& at) {
    std::optional<Json> lowest = property.minimum, highest = property.maximum;
    for (const Json& value : property.values) {
      if (!lowest || compare_numbers(value, *lowest) < 0) lowest = value;
      if (!highest || compare_numbers(value, *highest) > 0) highest = value;
    }
    if (!lowest || compare_numbers(*lowest, Json(0)) < 0)
      return fail(at + ": " + property.name + " needs a minimum of 0 or more to be priced"), std::nullopt;
    auto micros = highest ? to_micros(*highest, Rounding::up) : std::nullopt;
    if (!micros)
      return fail(at + ": " + property.name + " needs a maximum of at most 10^12 to be priced"), std::nullopt;
    return property.type == Type::integer ? *micros / kMicrosPerUnit * kMicrosPerUnit : *micros;
  }

  /// A number field and its bound (nullopt after a problem).
  std::optional<std::pair<const Property*, Micros>> bounded(const Json& name, const std::string& at,
                                                            std::initializer_list<Type> types) {
    const Property* property = field(name, at, types);
    auto bound = property ? upper_bound(*property, at) : std::nullopt;
    if (!bound) return std::nullopt;
    return std::pair{property, *bound};
  }

  void base(const Json& value) {
    if (auto base = amount(value, "pricing.base")) out.base = *base;
  }

  void per(const Json& rule) {
    if (!object(rule, "pricing.per")) return;
    for (const auto& [name, price] : rule.items()) {
      const std::string at = "pricing.per." + name;
      auto number = bounded(Json(name), at, {Type::integer, Type::number});
      auto amount = this->amount(price, at);
      if (!number || !amount) return;
      out.per.push_back({name, *amount});
      most.per.push_back(number->second);
    }
  }

  void per_1000_characters(const Json& rule) {
    if (!object(rule, "pricing.per_1000_characters")) return;
    for (const auto& [name, price] : rule.items()) {
      const std::string at = "pricing.per_1000_characters." + name;
      const Property* text = field(Json(name), at, {Type::string});
      auto amount = this->amount(price, at);
      if (text && !text->max_length) fail(at + ": " + name + " needs a maxLength to be priced");
      if (!amount || !problem.empty()) return;
      out.per_1000_characters.push_back({name, *amount});
      most.characters.push_back(static_cast<std::int64_t>(*text->max_length));
    }
  }

  void per_value(const Json& rule) {
    if (!object(rule, "pricing.per_value")) return;
    for (const auto& [name, table] : rule.items()) {
      const std::string at = "pricing.per_value." + name;
      const Property* choice = field(Json(name), at, {Type::string, Type::integer, Type::number, Type::boolean});
      if (choice && choice->values.empty()) fail(at + ": " + name + " has no enum to price");
      if (!problem.empty() || !object(table, at)) return;
      Pricing::PerValue prices{name, {}};
      Micros highest = 0;
      for (const Json& value : choice->values) {
        auto price = table.find(value_key(value));
        if (price == table.end()) return (void)fail(at + " has no price for " + dump(value));
        auto amount = this->amount(*price, at + "." + value_key(value));
        if (!amount) return;
        prices.prices.emplace_back(value, *amount);
        highest = std::max(highest, *amount);
      }
      if (table.size() != prices.prices.size())
        return (void)fail(at + " prices a value that is not in " + name + "'s enum");
      out.per_value.push_back(std::move(prices));
      most.value_prices.push_back(highest);
    }
  }

  void per_megapixel(const Json& rule) {
    const std::string at = "pricing.per_megapixel";
    if (!object(rule, at)) return;
    for (const auto& [key, value] : rule.items())
      if (key != "width" && key != "height" && key != "price")
        return (void)fail(at + "." + key + " is not width, height or price");
    auto width = bounded(rule.value("width", Json()), at + ".width", {Type::integer});
    auto height = bounded(rule.value("height", Json()), at + ".height", {Type::integer});
    auto amount = this->amount(rule.value("price", Json()), at + ".price");
    if (!width || !height || !amount) return;
    out.per_megapixel = Pricing::PerMegapixel{width->first->name, height->first->name, *amount};
    most.width = width->second / kMicrosPerUnit;
    most.height = height->second / kMicrosPerUnit;
  }

  void times(const Json& name) {
    if (auto count = bounded(name, "pricing.times", {Type::integer})) {
      out.times = count->first->name;
      most.times = count->second / kMicrosPerUnit;
    }
  }

  void usage(const Json& rule) {
    if (!object(rule, "pricing.usage")) return;
    for (const auto& [name, meter] : rule.items()) {
      const std::string at = "pricing.usage." + name;
      if (!is_meter_name(name)) return (void)fail(at + ": a meter's name is 1 to 64 of a-z 0-9 _");
      if (!object(meter, at)) return;
      for (const auto& [key, value] : meter.items())
        if (key != "per" && key != "per_1000" && key != "at_most")
          return (void)fail(at + "." + key + " is not per, per_1000 or at_most");
      if (meter.contains("per") == meter.contains("per_1000")) return (void)fail(at + " needs one of per and per_1000");
      const bool per_unit = meter.contains("per");
      auto amount = this->amount(meter[per_unit ? "per" : "per_1000"], at + (per_unit ? ".per" : ".per_1000"));
      const Json limit = meter.value("at_most", Json());
      std::variant<std::string, Micros> at_most;
      std::optional<Micros> bound;
      if (limit.is_string()) {
        auto number = bounded(limit, at + ".at_most", {Type::integer, Type::number});
        if (number) at_most = limit.get<std::string>(), bound = number->second;
      } else if ((bound = to_micros(limit, Rounding::exact))) {
        at_most = *bound;
      } else {
        fail(at + ".at_most must name a field or be a quantity of at most 10^12, to 6 decimal places");
      }
      if (!amount || !bound) return;
      out.usage.push_back({name, *amount, per_unit ? 1 : 1000, at_most});
      most.meters.push_back(*bound);
    }
  }

  void rule(const std::string& name, const Json& value) {
    if (name == "base") return base(value);
    if (name == "per") return per(value);
    if (name == "per_1000_characters") return per_1000_characters(value);
    if (name == "per_value") return per_value(value);
    if (name == "per_megapixel") return per_megapixel(value);
    if (name == "times") return times(value);
    if (name == "usage") return usage(value);
    fail("pricing." + name + " is not a pricing rule");
  }
};

}  // namespace

CheckedPricing check_pricing(const Json& document, const Schema& schema) {
  Reader read{schema, {}, {}, ""};
  if (read.object(document, "pricing"))
    for (const auto& [name, value] : document.items()) read.rule(name, value);
  if (!read.problem.empty()) return {std::nullopt, read.problem};
  auto most_expensive = total(read.out, read.most);
  if (!most_expensive)
    return {std::nullopt, "pricing: the most expensive input input_schema allows would cost more than " +
                              std::to_string(kMaxCredits) + " credits"};
  read.out.max_credits = whole_credits(*most_expensive);
  return {std::move(read.out), ""};
}

namespace {

/// What the validated `fields` count (and, with `usage`, what the provider reported).
Quantities quantities(const Pricing& pricing, const Json& fields, const Json* usage) {
  Quantities q;
  for (const auto& rule : pricing.per) q.per.push_back(quantity(fields, rule.field, kMaxMicros));
  for (const auto& rule : pricing.per_1000_characters) {
    auto value = fields.find(rule.field);
    q.characters.push_back(value != fields.end() && value->is_string()
                               ? static_cast<std::int64_t>(code_points(value->get_ref<const std::string&>()))
                               : 0);
  }
  for (const auto& rule : pricing.per_value) {
    Micros price = 0;
    for (const auto& [value, amount] : rule.prices)
      if (fields.value(rule.field, Json()) == value) price = amount;
    q.value_prices.push_back(price);
  }
  if (pricing.per_megapixel) {
    q.width = quantity(fields, pricing.per_megapixel->width, kMaxMicros) / kMicrosPerUnit;
    q.height = quantity(fields, pricing.per_megapixel->height, kMaxMicros) / kMicrosPerUnit;
  }
  if (pricing.times) q.times = quantity(fields, *pricing.times, kMaxMicros) / kMicrosPerUnit;
  for (const auto& meter : pricing.usage) {
    Micros bound = std::holds_alternative<Micros>(meter.at_most)
                       ? std::get<Micros>(meter.at_most)
                       : quantity(fields, std::get<std::string>(meter.at_most), kMaxMicros);
    q.meters.push_back(usage ? quantity(*usage, meter.name, bound) : bound);
  }
  return q;
}

}  // namespace

std::int64_t price(const Pricing& pricing, const Json& fields) {
  // NOTE: validated fields lie within the bounds check_pricing summed, so the total is within the cap.
  auto femtos = total(pricing, quantities(pricing, fields, nullptr));
  return femtos ? whole_credits(*femtos) : pricing.max_credits;
}

std::int64_t settle(const Pricing& pricing, const Json& fields, const Json& usage) {
  auto femtos = total(pricing, quantities(pricing, fields, &usage));
  const std::int64_t reserved = price(pricing, fields);
  return femtos ? std::min(whole_credits(*femtos), reserved) : reserved;
}

}  // namespace ag::inputs
