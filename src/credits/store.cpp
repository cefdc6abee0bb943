#include "credits/store.hpp"

#include "core/log.hpp"
#include "db/query.hpp"
#include "db/row.hpp"

namespace ag::credits {

namespace {

constexpr std::string_view kCreditsOverview =
    "select balance, id, delta, kind, reason, job_id, created_at "
    "from public.credits_overview($1::uuid, $2::integer, $3::integer)";
constexpr std::string_view kGrantCredits =
    "select applied, balance from public.grant_credits($1::uuid, $2::bigint, $3::text, $4::text, $5::text, $6::jsonb)";
constexpr std::string_view kAdjustCredits =
    "select applied, balance from public.adjust_credits($1::uuid, $2::bigint, $3::text, $4::text)";
// NOTE: keyset by id, the order of appends. The (user_id, created_at desc, id desc) index of
// 0002 narrows the scan to the user; a user's ledger is small enough to sort.
constexpr std::string_view kLedgerPage =
    "select id, delta, kind, reason, job_id, created_at from public.credit_ledger "
    "where user_id = $1::uuid and ($2::bigint is null or id < $2::bigint) "
    "order by id desc limit $3::integer";

Json text_or_null(const Json& row, std::string_view column) {
  auto text = string_field(row, column);
  return text ? Json(*text) : Json(nullptr);
}

/// The one row a money function answers, as a CreditChange; nullopt when malformed.
std::optional<CreditChange> credit_change(const Json& rows) {
  if (!rows.is_array() || rows.size() != 1) return std::nullopt;
  auto applied = rows[0].find("applied");
  auto balance = db::integer_column(rows[0], "balance");
  if (applied == rows[0].end() || !applied->is_boolean() || !balance) return std::nullopt;
  return CreditChange{applied->get<bool>(), *balance};
}

Task<CreditChange> move_credits(Ctx& ctx, std::string_view sql, Json params) {
  db::QueryResult result = co_await db::query_or_error(ctx, sql, std::move(params));
  if (result.error) co_await ctx.raise(db::api_error(ctx, *result.error));
  auto change = credit_change(result.rows);
  if (!change) {
    log::error("unexpected credit function answer", {{"request_id", ctx.request_id()}, {"rows", result.rows}});
    co_await ctx.raise(errors::internal());
  }
  co_return *change;
}

}  // namespace

std::uint64_t welcome_credits(const Config& config, const auth::User& user) {
  if (user.is_anonymous) return 0;
  return config.get_uint("WELCOME_CREDITS", 10, 0, 1'000'000);
}

Task<CreditsOverview> credits_overview(Ctx& ctx, const std::string& user_id, std::uint64_t welcome,
                                       std::uint32_t limit) {
  Json params = Json::array({user_id, welcome, limit});
  db::QueryResult result = co_await db::query_or_error(ctx, kCreditsOverview, std::move(params));
  if (result.error) co_await ctx.raise(db::api_error(ctx, *result.error));
  std::optional<std::int64_t> balance;
  if (!result.rows.empty()) balance = db::integer_column(result.rows[0], "balance");
  if (!balance) {
    log::error("unexpected credits_overview answer", {{"request_id", ctx.request_id()}, {"rows", result.rows}});
    co_await ctx.raise(errors::internal());
  }
  CreditsOverview overview{*balance, Json::array()};
  // A user without entries is one row whose entry columns are null.
  for (const Json& row : result.rows)
    if (db::integer_column(row, "id")) overview.entries.push_back(ledger_entry(row));
  co_return overview;
}

Json ledger_entry(const Json& row) {
  auto id = db::integer_column(row, "id");
  auto delta = db::integer_column(row, "delta");
  return {{"id", id ? Json(*id) : Json(nullptr)},  {"delta", delta ? Json(*delta) : Json(nullptr)},
          {"kind", text_or_null(row, "kind")},     {"reason", text_or_null(row, "reason")},
          {"job_id", text_or_null(row, "job_id")}, {"created_at", text_or_null(row, "created_at")}};
}

Task<Json> ledger_entries(Ctx& ctx, const std::string& user_id, std::optional<std::int64_t> before_id,
                          std::uint32_t limit) {
  // The id as decimal text: bigint may exceed what a JavaScript number holds exactly.
  Json before = before_id ? Json(std::to_string(*before_id)) : Json(nullptr);
  Json params = Json::array({user_id, std::move(before), limit});
  Json rows = co_await db::query(ctx, kLedgerPage, std::move(params));
  Json entries = Json::array();
  for (const Json& row : rows) entries.push_back(ledger_entry(row));
  co_return entries;
}

Task<CreditChange> grant_credits(Ctx& ctx, const std::string& user_id, std::int64_t amount, std::string_view kind,
                                 std::string_view idempotency_key, std::string_view reason) {
  Json params = Json::array({user_id, amount, kind, idempotency_key, reason, nullptr});
  co_return co_await move_credits(ctx, kGrantCredits, std::move(params));
}

Task<CreditChange> adjust_credits(Ctx& ctx, const std::string& user_id, std::int64_t delta,
                                  std::string_view idempotency_key, std::string_view reason) {
  Json params = Json::array({user_id, delta, idempotency_key, reason});
  co_return co_await move_credits(ctx, kAdjustCredits, std::move(params));
}

}  // namespace ag::credits
