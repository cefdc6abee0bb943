#pragma once
// A provider's report of what a job used, read into the meters pricing documents name
// (docs/models.md "Usage-priced models"), so one pricing reads the same on any provider.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ag::providers {

/// One meter and the field of the provider's report that counts it.
struct MeterField {
  std::string_view meter;
  std::string_view field;
};

/// `{meter: value}` for each field of `report` that is a number of 0 or more; the first field
/// given for a meter wins. Anything else (a missing report, a negative or non-numeric value)
/// is left out, so the meter counts at its bound.
template <std::size_t N>
Json usage_report(const Json& report, const MeterField (&fields)[N]) {
  Json usage = Json::object();
  if (!report.is_object()) return usage;
  for (const MeterField& each : fields) {
    const std::string meter(each.meter);
    auto value = report.find(each.field);
    if (value == report.end() || !value->is_number() || value->get<double>() < 0 || usage.contains(meter)) continue;
    usage[meter] = *value;
  }
  return usage;
}

}  // namespace ag::providers
