#include "jobs/request.hpp"

#include "jobs/webhook_url.hpp"
#include "jobs/webhooks.hpp"

namespace ag::jobs {

Task<> check_job_request(Ctx& ctx, const Json& body) {
  if (body.contains("prompt") && !body["prompt"].is_string())
    co_await ctx.raise(errors::invalid_request("prompt must be a string"));
  if (body.contains("model") && !body["model"].is_string())
    co_await ctx.raise(errors::invalid_request("model must be a string"));
  if (body.contains("input") && !body["input"].is_object())
    co_await ctx.raise(errors::invalid_request("input must be an object"));
  if (body.contains("webhook_url")) {
    auto url = string_field(body, "webhook_url");
    if (!url || !is_webhook_url(*url)) co_await ctx.raise(errors::invalid_request("webhook_url must be an https URL"));
    // Unsigned webhooks could not be told from forgeries: refuse rather than send them.
    if (!webhook_secret(ctx.config(), "admin"))
      co_await ctx.raise(
          errors::invalid_request("webhook_url needs webhook signing (WEBHOOK_SIGNING_SECRET) configured"));
  }
}

}  // namespace ag::jobs
