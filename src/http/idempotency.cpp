#include "http/idempotency.hpp"

#include "core/utf8.hpp"

namespace ag::http {
namespace {
constexpr std::size_t kMaxIdempotencyKey = 255;  // characters
}  // namespace

Task<std::optional<std::string>> idempotency_key(Ctx& ctx, const Request& request) {
  auto key = request.header("idempotency-key");
  if (!key) co_return std::nullopt;
  if (key->empty() || code_points(*key) > kMaxIdempotencyKey)
    co_await ctx.raise(errors::invalid_request("Idempotency-Key must be 1 to 255 characters"));
  co_return std::string(*key);
}

}  // namespace ag::http
