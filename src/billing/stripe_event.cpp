#include "billing/stripe_event.hpp"

#include <utility>

namespace ag::billing {

std::optional<StripeEvent> parse_stripe_event(std::string_view body) {
  auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  StripeEvent event;
  auto id = string_field(*parsed, "id");
  auto type = string_field(*parsed, "type");
  auto created = int_field(*parsed, "created");
  auto data = parsed->find("data");
  if (!id || id->empty() || !type || !created || data == parsed->end() || !data->is_object()) return std::nullopt;
  auto object = data->find("object");
  if (object == data->end() || !object->is_object()) return std::nullopt;
  event.id = std::move(*id);
  event.type = std::move(*type);
  event.created = *created;
  if (auto live = parsed->find("livemode"); live != parsed->end() && live->is_boolean()) event.livemode = *live;
  event.object = std::move(*object);
  return event;
}

}  // namespace ag::billing
