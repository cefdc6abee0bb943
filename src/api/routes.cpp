// The route table. Each handler lives in the file named after its resource.
#include "api/app.hpp"
#include "api/handlers.hpp"

namespace ag::api {

Router build_router() {
  Router router;
  router.add("GET", "/health", health)
      .add("GET", "/openapi.json", openapi)
      .add("GET", "/me", me)
      .add("GET", "/assets", list_assets)
      .add("POST", "/assets/sign", sign_asset)
      .add("PUT", "/assets/*key", put_asset)
      .add("GET", "/assets/*key", get_asset)
      .add("HEAD", "/assets/*key", head_asset)
      .add("DELETE", "/assets/*key", delete_asset)
      .add("POST", "/webhooks/test", webhook_test);
  return router;
}

}  // namespace ag::api
