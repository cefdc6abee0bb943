#include "billing/checkout_request.hpp"

#include <array>
#include <optional>
#include <utility>

#include "billing/return_url.hpp"
#include "core/utf8.hpp"
#include "crypto/sha256.hpp"

namespace ag::billing {
namespace {
constexpr std::size_t kMaxIdempotencyKey = 255;
constexpr std::array<std::string_view, 3> kProductFields = {"pack_id", "plan_id", "price_id"};
}  // namespace

Task<ProductRef> product_ref(Ctx& ctx, const Json& body) {
  ProductRef ref;
  int named = 0;
  for (std::string_view field : kProductFields) {
    if (!body.contains(field)) continue;
    auto value = string_field(body, field);
    if (!value || value->empty() || value->size() > 255)
      co_await ctx.raise(errors::invalid_request(std::string(field) + " must be a string of 1 to 255 characters"));
    ref.field = std::string(field);
    ref.value = std::move(*value);
    ++named;
  }
  if (named != 1) co_await ctx.raise(errors::invalid_request("name exactly one of pack_id, plan_id or price_id"));
  co_return ref;
}

Task<std::string> return_url(Ctx& ctx, const Json& body, std::string_view field, std::string_view query,
                             const std::string& own_base) {
  std::optional<std::string> url;
  if (body.contains(field)) {
    url = string_field(body, field);
    if (!url || !allowed_return_url(ctx.config(), *url, own_base))
      co_await ctx.raise(errors::invalid_request(
          std::string(field) + " must be an http(s) URL on one of the allowed origins, or this API's /console/"));
  } else {
    url = default_return_url(ctx.config(), query);
    if (!url)
      co_await ctx.raise(errors::invalid_request(std::string(field) + " is required: no allowed origin is configured"));
  }
  co_return std::move(*url);
}

Task<std::string> stripe_idempotency_key(Ctx& ctx, const Request& request, const std::string& user_id,
                                         std::string_view endpoint) {
  auto key = request.header("idempotency-key");
  if (!key) co_return std::string(endpoint) + "-" + ctx.uuid_v4();
  if (key->empty() || code_points(*key) > kMaxIdempotencyKey)
    co_await ctx.raise(errors::invalid_request("Idempotency-Key must be 1 to 255 characters"));
  co_return std::string(endpoint) + "-" + crypto::sha256_hex(user_id + "\n" + std::string(*key));
}

}  // namespace ag::billing
