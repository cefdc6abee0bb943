#include "http/paging.hpp"

#include "core/decimal.hpp"

namespace ag::http {

Task<std::uint32_t> page_limit(Ctx& ctx, const Request& request, std::uint32_t fallback, std::uint32_t max) {
  auto text = request.query_param("limit");
  if (!text) co_return fallback;
  auto value = parse_decimal(*text, 10);
  if (!value || *value < 1 || *value > max)
    co_await ctx.raise(errors::invalid_request("limit must be an integer from 1 to " + std::to_string(max)));
  co_return static_cast<std::uint32_t>(*value);
}

}  // namespace ag::http
