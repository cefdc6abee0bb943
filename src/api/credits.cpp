// GET /credits and GET /credits/ledger: a user's balance and ledger. Whose: credits/owner.hpp.
#include "api/handlers.hpp"
#include "http/paging.hpp"
#include "http/ledger_cursor.hpp"
#include "credits/owner.hpp"
#include "credits/store.hpp"

namespace ag::api {

namespace {
constexpr std::uint32_t kRecentEntries = 20;
constexpr std::uint32_t kDefaultPage = 50;
constexpr std::uint32_t kMaxPage = 100;
}  // namespace

/// GET /credits: the balance (granting the welcome credits on a user's first visit) and
/// the newest ledger entries.
Task<Response> get_credits(Ctx& ctx, const Request& request) {
  credits::Owner owner = co_await credits::credit_owner(ctx, request);
  // One statement: a first visit lists its welcome entry.
  credits::CreditsOverview overview =
      co_await credits::credits_overview(ctx, owner.user_id, owner.welcome, kRecentEntries);
  co_return json_response(200, {{"ok", true}, {"balance", overview.balance}, {"entries", std::move(overview.entries)}});
}

/// GET /credits/ledger?cursor&limit: one page of ledger entries, newest first.
Task<Response> get_credit_ledger(Ctx& ctx, const Request& request) {
  credits::Owner owner = co_await credits::credit_owner(ctx, request);
  std::uint32_t limit = co_await http::page_limit(ctx, request, kDefaultPage, kMaxPage);
  std::optional<std::int64_t> before;
  if (auto cursor = request.query_param("cursor"); cursor && !cursor->empty()) {
    before = http::decode_ledger_cursor(*cursor);
    if (!before) co_await ctx.raise(errors::invalid_request("invalid cursor"));
  }
  // One entry more than the page tells whether another page follows.
  Json entries = co_await credits::ledger_entries(ctx, owner.user_id, before, limit + 1);
  Json next = nullptr;
  if (entries.size() > limit) {
    entries.erase(entries.end() - 1);
    if (auto last = int_field(entries.back(), "id")) next = http::encode_ledger_cursor(*last);
  }
  co_return json_response(200, {{"ok", true}, {"entries", std::move(entries)}, {"cursor", std::move(next)}});
}

}  // namespace ag::api
