// GET /client-config: what a browser client of this API (the console, console/) needs to start,
// so that one build of it serves every environment: this API's base URL and the Supabase
// project its users sign in to. All of it is public by design: the anon key only names the
// project to Supabase Auth (the data is guarded by tokens and row-level security); no secret
// is ever answered here.
#include "api/handlers.hpp"
#include "auth/supabase_config.hpp"
#include "http/base_url.hpp"

namespace ag::api {

namespace {
Json optional_string(std::optional<std::string_view> value) {
  return value ? Json(std::string(*value)) : Json(nullptr);
}
}  // namespace

/// → {"ok":true,"api_base","supabase_url","supabase_anon_key"}; an unset value is null.
Task<Response> client_config(Ctx& ctx, const Request& request) {
  const Config& config = ctx.config();
  auto supabase = auth::supabase_base(config);
  Json body = {{"ok", true},
               {"api_base", http::public_base_url(config, request)},
               {"supabase_url", supabase ? Json(*supabase) : Json(nullptr)},
               {"supabase_anon_key", optional_string(config.get("SUPABASE_ANON_KEY"))}};
  Response response = json_response(200, body);
  // A deploy may change it; a browser asks again on every visit.
  response.headers.emplace_back("cache-control", "no-cache");
  co_return response;
}

}  // namespace ag::api
