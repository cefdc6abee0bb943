#include "billing/store.hpp"

#include "core/log.hpp"
#include "db/query.hpp"
#include "db/row.hpp"

namespace ag::billing {
namespace {

constexpr std::string_view kProductColumns =
    "select id, kind, name, credits, stripe_price_id, billing_interval from public.billing_products ";
constexpr std::string_view kCatalog = "where enabled order by kind = 'plan', sort_order, credits, id";
constexpr std::string_view kFindProduct =
    "where enabled and (($1::text = 'pack_id' and kind = 'pack' and id = $2::text) "
    "or ($1::text = 'plan_id' and kind = 'plan' and id = $2::text) "
    "or ($1::text = 'price_id' and stripe_price_id = $2::text))";
constexpr std::string_view kCustomerOf = "select customer_id from public.stripe_customers where user_id = $1::uuid";
constexpr std::string_view kLinkCustomer = "select public.link_stripe_customer($1::uuid, $2::text) as customer_id";
constexpr std::string_view kCurrentSubscription =
    "select subscription_id, status, plan_id, price_id, current_period_end, cancel_at_period_end, payment_failed_at "
    "from public.user_subscriptions where user_id = $1::uuid "
    "order by status in ('active', 'trialing', 'past_due') desc, updated_at desc limit 1";
// GET /me's two reads in one round trip: the subscription query beside user_credits (which
// may make the welcome grant, so it runs exactly once: one row from `one`).
const std::string kAccount =
    "select public.user_credits($1::uuid, $2::integer) as balance, s.* "
    "from (values (1)) as one left join lateral (" +
    std::string(kCurrentSubscription) + ") as s on true";
constexpr std::string_view kApplyEvent =
    "select public.stripe_apply_event($1::text, $2::text, $3::bigint, $4::boolean, $5::jsonb) as outcome";

Json text_or_null(const Json& row, std::string_view column) {
  auto text = string_field(row, column);
  return text ? Json(*text) : Json(nullptr);
}

std::optional<Product> product(const Json& row) {
  auto id = string_field(row, "id");
  auto kind = string_field(row, "kind");
  auto price = string_field(row, "stripe_price_id");
  auto credits = db::integer_column(row, "credits");
  if (!id || !kind || !price || !credits) return std::nullopt;
  const bool plan = *kind == "plan";
  Json json = {{"id", *id},
               {"kind", *kind},
               {"name", text_or_null(row, "name")},
               {"credits", *credits},
               {"price_id", *price},
               {"mode", plan ? "subscription" : "payment"},
               {"interval", text_or_null(row, "billing_interval")}};
  return Product{*id, *kind, *price, std::move(json)};
}

/// current_subscription's row as the API shows it; null when the user has none.
Json subscription(const Json& row) {
  if (string_field(row, "subscription_id") == std::nullopt) return nullptr;
  return {{"subscription_id", text_or_null(row, "subscription_id")},
          {"status", text_or_null(row, "status")},
          {"plan_id", text_or_null(row, "plan_id")},
          {"price_id", text_or_null(row, "price_id")},
          {"current_period_end", text_or_null(row, "current_period_end")},
          {"cancel_at_period_end", bool_field(row, "cancel_at_period_end").value_or(false)},
          {"payment_failed_at", text_or_null(row, "payment_failed_at")}};
}

/// The one text column of a one-row answer; raises 500 when it is not there.
Task<std::string> single_text(Ctx& ctx, const Json& rows, std::string_view column) {
  std::optional<std::string> value;
  if (rows.size() == 1) value = string_field(rows[0], column);
  if (!value) {
    log::error("unexpected billing answer", {{"request_id", ctx.request_id()}, {"rows", rows}});
    co_await ctx.raise(errors::internal());
  }
  co_return std::move(*value);
}

}  // namespace

Task<std::vector<Product>> catalog(Ctx& ctx) {
  Json rows = co_await db::query(ctx, std::string(kProductColumns) + std::string(kCatalog));
  std::vector<Product> products;
  for (const Json& row : rows)
    if (auto item = product(row)) products.push_back(std::move(*item));
  co_return products;
}

Task<std::optional<Product>> find_product(Ctx& ctx, const ProductRef& ref) {
  Json params = Json::array({ref.field, ref.value});
  Json rows = co_await db::query(ctx, std::string(kProductColumns) + std::string(kFindProduct), std::move(params));
  co_return rows.size() == 1 ? product(rows[0]) : std::nullopt;
}

Task<std::optional<std::string>> customer_of(Ctx& ctx, const std::string& user_id) {
  Json params = Json::array({user_id});
  Json rows = co_await db::query(ctx, kCustomerOf, std::move(params));
  co_return rows.size() == 1 ? string_field(rows[0], "customer_id") : std::nullopt;
}

Task<std::string> link_customer(Ctx& ctx, const std::string& user_id, const std::string& customer_id) {
  Json params = Json::array({user_id, customer_id});
  Json rows = co_await db::query(ctx, kLinkCustomer, std::move(params));
  co_return co_await single_text(ctx, rows, "customer_id");
}

Task<Json> current_subscription(Ctx& ctx, const std::string& user_id) {
  Json params = Json::array({user_id});
  Json rows = co_await db::query(ctx, kCurrentSubscription, std::move(params));
  co_return rows.empty() ? Json(nullptr) : subscription(rows[0]);
}

Task<Account> account(Ctx& ctx, const std::string& user_id, std::uint64_t welcome) {
  Json params = Json::array({user_id, welcome});
  db::QueryResult result = co_await db::query_or_error(ctx, kAccount, std::move(params));
  if (result.error) co_await ctx.raise(db::api_error(ctx, *result.error));
  std::optional<std::int64_t> balance;
  if (result.rows.size() == 1) balance = db::integer_column(result.rows[0], "balance");
  if (!balance) {
    log::error("unexpected account answer", {{"request_id", ctx.request_id()}, {"rows", result.rows}});
    co_await ctx.raise(errors::internal());
  }
  co_return Account{*balance, subscription(result.rows[0])};
}

Task<std::string> apply_event(Ctx& ctx, const StripeEvent& event) {
  Json params = Json::array({event.id, event.type, event.created, event.livemode, dump(event.object)});
  Json rows = co_await db::query(ctx, kApplyEvent, std::move(params));
  co_return co_await single_text(ctx, rows, "outcome");
}

}  // namespace ag::billing
