#include "assets/request_access.hpp"

#include <vector>

#include "assets/access.hpp"
#include "assets/content_types.hpp"
#include "assets/key.hpp"
#include "assets/signed_url.hpp"
#include "auth/require.hpp"

namespace ag::assets {
namespace {

/// A link from POST /assets/sign stands in for credentials, for reading only.
Task<> check_signed_link(Ctx& ctx, const Request& request, const std::string& key) {
  auto secret = signing_secret(ctx.config());
  auto check = secret ? check_asset_signature(*secret, key, request.query_param("expires").value_or(""),
                                              request.query_param("sig").value_or(""), ctx.now_ms() / 1000)
                      : SignatureCheck::invalid;
  if (check == SignatureCheck::expired) co_await ctx.raise(errors::forbidden("this link has expired"));
  if (check != SignatureCheck::valid) co_await ctx.raise(errors::forbidden("invalid link signature"));
}

}  // namespace

Task<> require_read_access(Ctx& ctx, const Request& request, const std::string& key) {
  if (!is_private(key)) co_return;
  if (request.query_param("sig") || request.query_param("expires")) {
    co_await check_signed_link(ctx, request, key);
    co_return;
  }
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  if (!may_read(caller, key)) co_await ctx.raise(errors::forbidden("this asset belongs to someone else"));
}

Task<auth::Caller> require_key_access(Ctx& ctx, const Request& request, const std::string& key,
                                      bool (*allowed)(const auth::Caller&, std::string_view)) {
  auth::Caller caller = co_await auth::require_caller(ctx, request);
  if (!allowed(caller, key)) co_await ctx.raise(errors::forbidden("this key is outside your folder"));
  co_return caller;
}

Task<std::string> upload_content_type(Ctx& ctx, const Request& request, const auth::Caller& caller) {
  auto header = request.header("content-type");
  if (caller.admin) co_return std::string(header.value_or("application/octet-stream"));
  std::vector<std::string> allowed = allowed_upload_types(ctx.config());
  if (!header) co_await ctx.raise(errors::unsupported_media_type("a Content-Type header is required", allowed));
  auto type = media_type(*header);
  if (!type || !upload_type_allowed(allowed, *type)) {
    co_await ctx.raise(errors::unsupported_media_type(
        "uploads of type \"" + type.value_or(std::string(*header)) + "\" are not allowed", allowed));
  }
  co_return std::string(*header);
}

}  // namespace ag::assets
