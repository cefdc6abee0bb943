// GET /webhooks/deliveries?limit&cursor: the webhooks of the caller's jobs (the admin: of the
// admin's own jobs), newest first, each with its attempts. POST
// /webhooks/deliveries/:id/redeliver: sends one again now, with the same webhook-id (receivers
// deduplicate), and answers 200 with the delivery as listed, this attempt included.
#include "api/handlers.hpp"
#include "auth/require.hpp"
#include "http/created_cursor.hpp"
#include "http/paging.hpp"
#include "jobs/deliveries.hpp"
#include "jobs/store.hpp"

namespace ag::api {

namespace {
constexpr std::uint32_t kDefaultPage = 20;
constexpr std::uint32_t kMaxPage = 100;

/// Whose deliveries: a user's, or (nullopt) the admin's own.
std::optional<std::string> owner_of(const auth::Caller& caller) {
  if (caller.user) return caller.user->id;
  return std::nullopt;
}
}  // namespace

Task<Response> list_webhook_deliveries(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  std::uint32_t limit = co_await http::page_limit(ctx, request, kDefaultPage, kMaxPage);

  jobs::DeliveryListing listing;
  listing.owner = owner_of(caller);
  listing.after = co_await http::created_cursor_param(ctx, request);
  listing.limit = limit;
  const jobs::DeliveryPage page = co_await jobs::list_job_webhook_deliveries(ctx, listing);

  Json deliveries = Json::array();
  for (const jobs::DeliveryRow& delivery : page.deliveries) deliveries.push_back(jobs::delivery_view(delivery));
  Json cursor = page.next ? Json(http::encode_created_cursor(*page.next)) : Json(nullptr);
  co_return json_response(200, {{"ok", true}, {"deliveries", std::move(deliveries)}, {"cursor", std::move(cursor)}});
}

Task<Response> redeliver_webhook(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  std::optional<Json> delivery = co_await jobs::redeliver(ctx, owner_of(caller), std::string(request.param("id")));
  if (!delivery) co_await ctx.raise(errors::not_found("no such delivery"));
  Json body = {{"ok", true}};
  body.update(*delivery);
  co_return json_response(200, std::move(body));
}

}  // namespace ag::api
