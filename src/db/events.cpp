#include "db/events.hpp"

#include "core/effects.hpp"

namespace ag::db {

Json insert_event(std::string_view event_id, std::string_view type, const Json& payload) {
  return effect::sql("insert into public.events (event_id, type, payload) values ($1::uuid, $2, $3::jsonb)",
                     Json::array({event_id, type, dump(payload)}));
}

}  // namespace ag::db
