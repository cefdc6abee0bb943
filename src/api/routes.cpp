// The route table. Each handler lives in the file named after its resource.
#include "api/app.hpp"
#include "api/handlers.hpp"

namespace ag::api {

Router build_router() {
  Router router;
  router.add("GET", "/health", health)
      .add("GET", "/openapi.json", openapi)
      .add("GET", "/client-config", client_config)
      .add("GET", "/me", me)
      .add("GET", "/models", list_models)
      .add("GET", "/admin/models", list_admin_models)
      .add("PUT", "/admin/models/:id", put_admin_model)
      .add("DELETE", "/admin/models/:id", delete_admin_model)
      .add("GET", "/credits", get_credits)
      .add("GET", "/credits/ledger", get_credit_ledger)
      .add("POST", "/admin/credits", admin_credits)
      .add("GET", "/assets", list_assets)
      .add("POST", "/assets/sign", sign_asset)
      .add("PUT", "/assets/*key", put_asset)
      .add("GET", "/assets/*key", get_asset)
      .add("HEAD", "/assets/*key", head_asset)
      .add("DELETE", "/assets/*key", delete_asset)
      .add("POST", "/webhooks/test", webhook_test)
      .add("POST", "/jobs", create_job)
      .add("POST", "/jobs/estimate", estimate_job)
      .add("GET", "/jobs", list_jobs)
      .add("GET", "/jobs/:id", get_job)
      .add("POST", "/jobs/:id/cancel", cancel_job)
      .add("GET", "/jobs/:id/events", job_events)
      .add("POST", "/webhooks/runpod/:job_id", runpod_webhook)
      .add("POST", "/webhooks/replicate/:job_id", replicate_webhook)
      .add("POST", "/webhooks/fal/:job_id", fal_webhook)
      .add("GET", "/webhooks/secret", webhook_secret)
      .add("GET", "/webhooks/deliveries", list_webhook_deliveries)
      .add("POST", "/webhooks/deliveries/:id/redeliver", redeliver_webhook)
      .add("GET", "/billing/catalog", billing_catalog)
      .add("GET", "/billing/subscription", billing_subscription)
      .add("POST", "/billing/checkout", billing_checkout)
      .add("POST", "/billing/portal", billing_portal)
      .add("POST", "/webhooks/stripe", stripe_webhook)
      .add("POST", "/keys", create_key)
      .add("GET", "/keys", list_keys)
      .add("DELETE", "/keys/:id", revoke_key)
      .add("GET", "/v1/models", v1_models)
      .add("POST", "/v1/chat/completions", v1_chat_completions)
      .add("POST", "/v1/images/generations", v1_images)
      .add("POST", "/v1/audio/speech", v1_speech);
  return router;
}

}  // namespace ag::api
