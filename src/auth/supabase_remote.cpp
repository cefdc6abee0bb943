#include "auth/supabase_remote.hpp"

#include "core/effects.hpp"
#include "core/log.hpp"
#include "core/uuid.hpp"

namespace ag::auth {

namespace {
std::optional<std::string_view> project_key(const Config& config) { return config.get("SUPABASE_SERVICE_ROLE"); }
}  // namespace

bool remote_auth_configured(const Config& config) {
  return config.has("SUPABASE_URL") && project_key(config).has_value();
}

Task<User> fetch_remote_user(Ctx& ctx, std::string_view token) {
  std::string base = ctx.config().get_base_url("SUPABASE_URL");
  effect::FetchSpec spec;
  spec.url = base + "/auth/v1/user";
  spec.headers = {{"authorization", "Bearer " + std::string(token)},
                  {"apikey", std::string(*project_key(ctx.config()))}};
  spec.timeout_ms = 5000;
  spec.max_bytes = 64 << 10;
  EffectResult reply = co_await ctx.perform(effect::fetch(spec));

  auto status = reply.http_status();
  if (status == 401 || status == 403) co_await ctx.raise(errors::unauthorized("invalid or expired token"));
  auto user = status == 200 ? parse_json(reply.body) : std::nullopt;
  auto id = user ? string_field(*user, "id") : std::nullopt;
  // Held to the rule of a locally verified token's `sub` (jwt.cpp): one spelling per user.
  if (!id || !is_canonical_uuid(*id)) {
    log::warn("supabase user lookup failed",
              {{"request_id", ctx.request_id()}, {"status", status}, {"error", reply.error_code()}});
    co_await ctx.raise(errors::provider_error("the auth provider could not verify the token"));
  }
  co_return User{std::move(*id), string_field(*user, "email").value_or(""),
                 string_field(*user, "role").value_or("authenticated"),
                 bool_field(*user, "is_anonymous").value_or(false), std::nullopt};
}

}  // namespace ag::auth
