// GET /credits and GET /credits/ledger: a user's balance and ledger. Users see their own;
// the admin, who has no credits, names a user with ?user_id=.
#include "api/handlers.hpp"
#include "http/paging.hpp"
#include "http/ledger_cursor.hpp"
#include "auth/require.hpp"
#include "core/uuid.hpp"
#include "credits/store.hpp"

namespace ag::api {

namespace {
constexpr std::uint32_t kRecentEntries = 20;
constexpr std::uint32_t kDefaultPage = 50;
constexpr std::uint32_t kMaxPage = 100;

/// Whose credits a request reads.
struct Owner {
  std::string user_id;
  std::uint64_t welcome = 0;  // what a first visit grants: nothing when the admin only looks
};

Task<Owner> credit_owner(Ctx& ctx, const Request& request) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  auto named = request.query_param("user_id");
  if (named && named->empty()) named.reset();
  if (named && !is_uuid(*named)) co_await ctx.raise(errors::invalid_request("user_id must be a UUID"));
  if (caller.admin) {
    if (!named) co_await ctx.raise(errors::invalid_request("the admin has no credits: name the user with ?user_id="));
    co_return Owner{lowercase_uuid(*named), 0};
  }
  if (named && lowercase_uuid(*named) != lowercase_uuid(caller.user->id))
    co_await ctx.raise(errors::forbidden("you may see only your own credits"));
  co_return Owner{caller.user->id, credits::welcome_credits(ctx.config(), *caller.user)};
}
}  // namespace

/// GET /credits: the balance (granting the welcome credits on a user's first visit) and
/// the newest ledger entries.
Task<Response> get_credits(Ctx& ctx, const Request& request) {
  Owner owner = co_await credit_owner(ctx, request);
  // One statement: a first visit lists its welcome entry.
  credits::CreditsOverview overview =
      co_await credits::credits_overview(ctx, owner.user_id, owner.welcome, kRecentEntries);
  co_return json_response(200, {{"ok", true}, {"balance", overview.balance}, {"entries", std::move(overview.entries)}});
}

/// GET /credits/ledger?cursor&limit: one page of ledger entries, newest first.
Task<Response> get_credit_ledger(Ctx& ctx, const Request& request) {
  Owner owner = co_await credit_owner(ctx, request);
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
