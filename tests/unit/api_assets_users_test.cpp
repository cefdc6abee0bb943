// /assets for users: ownership of users/<id>/ and outputs/<id>/, listing, deleting and
// signed links. Users carry HS256 tokens, so no request here needs the JWKS.
#include <catch2/catch.hpp>

#include <algorithm>

#include "assets/signed_url.hpp"
#include "support/driver.hpp"
#include "support/jws_signer.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
constexpr std::int64_t kNowS = test::kDriverNowS;
const std::string& kSecret = test::kJwtSecret;
const Driver::Env kEnv = {{"APP_ADMIN_TOKEN", "adm1n"},
                          {"SUPABASE_JWT_SECRET", kSecret},
                          {"ASSET_SIGNING_SECRET", "link-secret"},
                          {"PUBLIC_BASE_URL", "https://api.example.com/"}};
const auto& kAdmin = test::kAdminAuth;
const std::string kUser = "11111111-1111-4111-8111-111111111111";  // the caller of most requests

Reply object(const Json& effect) {
  return {{{"found", true},
           {"key", effect.value("key", "")},
           {"size", 11},
           {"etag", "e1"},
           {"content_type", "image/png"},
           {"uploaded", 1},
           {"handle", 3}}};
}

/// A stored upload: room reserved (when the key is a user's), the object put, the size recorded.
Reply stored(const Json& effect) {
  if (is_sql(effect, "select reservation, used from public.reserve_upload"))
    return {{{"rows", Json::array({{{"reservation", "33333333-3333-4333-8333-333333333333"}, {"used", 0}}})}}};
  if (is_sql(effect, "select public.finish_upload")) return {{{"rows", Json::array({Json::object()})}}};
  REQUIRE(effect["op"] == "r2.put");
  return {{{"key", effect["key"]}, {"size", 1}, {"etag", "e1"}}};
}

testing::RequestSpec put(const std::string& key, std::pair<std::string, std::string> auth) {
  return {"PUT", "/assets/" + key, {std::move(auth), {"content-length", "1"}, {"content-type", "image/png"}}, true};
}

testing::RequestSpec sign(const std::string& body, std::pair<std::string, std::string> auth) {
  return {"POST", "/assets/sign", {std::move(auth), {"content-length", std::to_string(body.size())}}, true};
}

/// Answers the request-body effect with `body`, then everything else as `object`.
testing::Responder body_then_objects(std::string body) {
  return [body](const Json& effect) {
    if (effect["op"] == "request.body") return Reply{{{"size", body.size()}}, body};
    return object(effect);
  };
}
}  // namespace

TEST_CASE("users write only inside users/<their id>/", "[assets][users]") {
  Driver driver(kEnv);
  CHECK(driver.run(put("users/11111111-1111-4111-8111-111111111111/a.png", test::user_auth(kUser)), stored).status() ==
        200);
  CHECK(driver.run(put("users/11111111-1111-4111-8111-111111111111/deep/er/a.png", test::user_auth(kUser)), stored)
            .status() == 200);
  CHECK(driver.run(put("users/22222222-2222-4222-8222-222222222222/a.png", test::user_auth(kUser))).status() == 403);
  CHECK(driver.run(put("users/11111111-1111-4111-8111-111111111111", test::user_auth(kUser))).status() == 403);
  CHECK(driver.run(put("users/11111111-1111-4111-8111-1111111111110/a.png", test::user_auth(kUser))).status() == 403);
  CHECK(driver.run(put("outputs/11111111-1111-4111-8111-111111111111/j/a.png", test::user_auth(kUser))).status() ==
        403);
  CHECK(driver.run(put("public/a.png", test::user_auth(kUser))).status() == 403);
  CHECK(driver.run(put("users/22222222-2222-4222-8222-222222222222/a.png", kAdmin), stored).status() == 200);
  CHECK(driver.run(put("users/11111111-1111-4111-8111-111111111111/a.png", {"authorization", "Bearer not.a.token"}))
            .status() == 401);
}

TEST_CASE("users read their own private keys; others get 403, anonymous 401", "[assets][users]") {
  Driver driver(kEnv);
  CHECK(driver.get("/assets/users/11111111-1111-4111-8111-111111111111/a.png", {test::user_auth(kUser)}, object)
            .status() == 200);
  CHECK(driver.get("/assets/outputs/11111111-1111-4111-8111-111111111111/job/out.mp4", {test::user_auth(kUser)}, object)
            .status() == 200);
  CHECK(driver.get("/assets/users/22222222-2222-4222-8222-222222222222/a.png", {test::user_auth(kUser)}).status() ==
        403);
  CHECK(driver.get("/assets/outputs/22222222-2222-4222-8222-222222222222/job/out.mp4", {test::user_auth(kUser)})
            .status() == 403);
  CHECK(driver.get("/assets/users/11111111-1111-4111-8111-111111111111/a.png").status() == 401);
  CHECK(driver.run({"HEAD", "/assets/users/22222222-2222-4222-8222-222222222222/a.png", {test::user_auth(kUser)}})
            .status() == 403);
  CHECK(driver.get("/assets/public/logo.png", {test::user_auth(kUser)}, object).status() == 200);
  // Public reads need no credentials, so none are checked (nor paid for).
  CHECK(driver.get("/assets/public/logo.png", {{"authorization", "Bearer x.y.z"}}, object).status() == 200);
}

TEST_CASE("DELETE /assets: owner or admin, idempotent", "[assets][users]") {
  Driver driver(kEnv);
  auto deleted = [](const Json& effect) {
    if (is_sql(effect, "select public.forget_upload")) return Reply{{{"rows", Json::array({Json::object()})}}};
    REQUIRE(effect["op"] == "r2.delete");
    return Reply{Json::object()};
  };
  auto out = driver.run(
      {"DELETE", "/assets/users/11111111-1111-4111-8111-111111111111/a.png", {test::user_auth(kUser)}}, deleted);
  CHECK(out.status() == 200);
  CHECK(out.json() ==
        Json{{"ok", true}, {"key", "users/11111111-1111-4111-8111-111111111111/a.png"}, {"deleted", true}});
  CHECK(out.effects[0]["key"] == "users/11111111-1111-4111-8111-111111111111/a.png");
  CHECK(driver
            .run({"DELETE", "/assets/outputs/11111111-1111-4111-8111-111111111111/j/x.mp4", {test::user_auth(kUser)}},
                 deleted)
            .status() == 200);
  CHECK(driver.run({"DELETE", "/assets/users/22222222-2222-4222-8222-222222222222/a.png", {test::user_auth(kUser)}})
            .status() == 403);
  CHECK(driver.run({"DELETE", "/assets/public/logo.png", {test::user_auth(kUser)}}).status() == 403);
  CHECK(driver.run({"DELETE", "/assets/public/logo.png"}).status() == 401);
  CHECK(driver.run({"DELETE", "/assets/public/logo.png", {kAdmin}}, deleted).status() == 200);
  CHECK(driver.run({"DELETE", "/assets/a/../b", {kAdmin}}).status() == 400);
}

TEST_CASE("GET /assets lists a page of the caller's folder", "[assets][users]") {
  Driver driver(kEnv);
  auto page = [](const Json& effect) {
    REQUIRE(effect["op"] == "r2.list");
    return Reply{{{"objects", Json::array({{{"key", "users/11111111-1111-4111-8111-111111111111/a.png"},
                                            {"size", 5},
                                            {"etag", "e"},
                                            {"uploaded", 0}}})},
                  {"truncated", true},
                  {"cursor", "next-page"}}};
  };
  auto out = driver.get("/assets", {test::user_auth(kUser)}, page);
  CHECK(out.status() == 200);
  CHECK(out.effects[0]["prefix"] == "users/11111111-1111-4111-8111-111111111111/");
  CHECK(out.effects[0]["limit"] == 100);
  CHECK_FALSE(out.effects[0].contains("cursor"));
  CHECK(out.json() == Json{{"ok", true},
                           {"prefix", "users/11111111-1111-4111-8111-111111111111/"},
                           {"objects", Json::array({{{"key", "users/11111111-1111-4111-8111-111111111111/a.png"},
                                                     {"size", 5},
                                                     {"etag", "e"},
                                                     {"uploaded", "1970-01-01T00:00:00.000Z"}}})},
                           {"cursor", out.json()["cursor"]}});

  auto next = driver.get("/assets?prefix=outputs%2F11111111-1111-4111-8111-111111111111%2F&limit=2",
                         {test::user_auth(kUser)}, page);
  CHECK(next.effects[0]["prefix"] == "outputs/11111111-1111-4111-8111-111111111111/");
  CHECK(next.effects[0]["limit"] == 2);

  CHECK(driver.get("/assets?prefix=users/22222222-2222-4222-8222-222222222222/", {test::user_auth(kUser)}).status() ==
        403);
  CHECK(driver.get("/assets?prefix=users/", {test::user_auth(kUser)}).status() == 403);
  CHECK(driver.get("/assets?prefix=", {test::user_auth(kUser)}).status() == 403);
  CHECK(driver.get("/assets?limit=0", {test::user_auth(kUser)}).status() == 400);
  CHECK(driver.get("/assets?limit=1001", {test::user_auth(kUser)}).status() == 400);
  CHECK(driver.get("/assets?limit=ten", {test::user_auth(kUser)}).status() == 400);
  CHECK(driver.get("/assets").status() == 401);
  auto all = driver.get("/assets", {kAdmin}, page);
  CHECK(all.effects[0]["prefix"] == "");
}

TEST_CASE("GET /assets: a cursor this API did not hand out for that prefix is a 400, before R2", "[assets][users]") {
  Driver driver(kEnv);
  const auto user = test::user_auth(kUser);
  for (std::string garbage : {"forged", "bmV4dC1wYWdl", "djE6MDAwMDAwMDAwMDAwMDAwMDpuZXh0LXBhZ2U", "%00"}) {
    INFO(garbage);
    auto out = driver.get("/assets?cursor=" + garbage, {user});
    CHECK(out.status() == 400);
    CHECK(out.json()["message"] == "invalid cursor");
  }
  auto page = [](const Json& effect) {
    REQUIRE(effect["op"] == "r2.list");
    return Reply{{{"objects", Json::array()}, {"truncated", true}, {"cursor", "r2-next"}}};
  };
  std::string cursor = driver.get("/assets", {user}, page).json()["cursor"];
  CHECK(cursor != "r2-next");
  auto next = driver.get("/assets?cursor=" + cursor, {user}, page);
  CHECK(next.status() == 200);
  CHECK(next.effects[0]["cursor"] == "r2-next");
  // Another listing's cursor is not this one's.
  auto elsewhere = driver.get("/assets?prefix=outputs/11111111-1111-4111-8111-111111111111/&cursor=" + cursor, {user});
  CHECK(elsewhere.status() == 400);
}

TEST_CASE("POST /assets/sign mints a link that GET honours until it expires", "[assets][signed]") {
  Driver driver(kEnv);
  std::string body = R"({"key":"users/11111111-1111-4111-8111-111111111111/a b.png","expires_in":60})";
  auto out = driver.run(sign(body, test::user_auth(kUser)), body_then_objects(body));
  REQUIRE(out.status() == 200);
  const std::int64_t expires = kNowS + 60;
  std::string sig =
      assets::asset_signature("link-secret", "users/11111111-1111-4111-8111-111111111111/a b.png", expires);
  std::string path =
      "/assets/users/11111111-1111-4111-8111-111111111111/a%20b.png?expires=" + std::to_string(expires) + "&sig=" + sig;
  CHECK(out.json() ==
        Json{{"ok", true}, {"url", "https://api.example.com" + path}, {"expires_at", "2023-11-14T22:14:20.000Z"}});

  auto fetched = driver.get(path, {}, object);  // no credentials
  CHECK(fetched.status() == 200);
  CHECK(fetched.effects[0]["key"] == "users/11111111-1111-4111-8111-111111111111/a b.png");
  CHECK(driver.run({"HEAD", path}, object).status() == 200);

  // Any change is a 403: the key, the expiry, the signature.
  CHECK(driver
            .get("/assets/users/11111111-1111-4111-8111-111111111111/other.png?expires=" + std::to_string(expires) +
                 "&sig=" + sig)
            .status() == 403);
  CHECK(driver
            .get("/assets/users/11111111-1111-4111-8111-111111111111/a%20b.png?expires=" + std::to_string(expires + 1) +
                 "&sig=" + sig)
            .status() == 403);
  std::string flipped = sig;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
  CHECK(driver
            .get("/assets/users/11111111-1111-4111-8111-111111111111/a%20b.png?expires=" + std::to_string(expires) +
                 "&sig=" + flipped)
            .status() == 403);
  CHECK(driver.get("/assets/users/11111111-1111-4111-8111-111111111111/a%20b.png?expires=" + std::to_string(expires))
            .status() == 403);

  driver.advance_ms(60'000);
  auto expired = driver.get(path);
  CHECK(expired.status() == 403);
  CHECK(expired.json()["message"] == "this link has expired");
}

TEST_CASE("POST /assets/sign: only for the owner, with a sane lifetime", "[assets][signed]") {
  Driver driver(kEnv);
  auto status = [&](const std::string& body, std::pair<std::string, std::string> auth) {
    return driver.run(sign(body, std::move(auth)), body_then_objects(body)).status();
  };
  CHECK(status(R"({"key":"users/22222222-2222-4222-8222-222222222222/a.png"})", test::user_auth(kUser)) == 403);
  CHECK(status(R"({"key":"public/a.png"})", test::user_auth(kUser)) == 403);
  CHECK(status(R"({"key":"users/22222222-2222-4222-8222-222222222222/a.png"})", kAdmin) == 200);
  CHECK(status(R"({"key":"outputs/11111111-1111-4111-8111-111111111111/j/a.png","expires_in":604800})",
               test::user_auth(kUser)) == 200);
  CHECK(status(R"({"key":"users/11111111-1111-4111-8111-111111111111/a.png","expires_in":604801})",
               test::user_auth(kUser)) == 400);
  CHECK(status(R"({"key":"users/11111111-1111-4111-8111-111111111111/a.png","expires_in":0})",
               test::user_auth(kUser)) == 400);
  CHECK(status(R"({"key":"users/11111111-1111-4111-8111-111111111111/a.png","expires_in":"60"})",
               test::user_auth(kUser)) == 400);
  CHECK(status(R"({"key":"users/11111111-1111-4111-8111-111111111111/../22222222-2222-4222-8222-222222222222/a.png"})",
               test::user_auth(kUser)) == 400);
  CHECK(status(R"({"expires_in":60})", test::user_auth(kUser)) == 400);
  CHECK(status(R"([1])", test::user_auth(kUser)) == 400);
  CHECK(driver.run({"POST", "/assets/sign", {{"content-length", "2"}}, true}).status() == 401);
}

TEST_CASE("signed links: derived from the admin token, or a noop without any secret", "[assets][signed]") {
  std::string body = R"({"key":"users/11111111-1111-4111-8111-111111111111/a.png"})";
  Driver derived({{"APP_ADMIN_TOKEN", "adm1n"}});
  auto out = derived.run(sign(body, kAdmin), body_then_objects(body));
  REQUIRE(out.status() == 200);
  std::string url = out.json()["url"];
  CHECK(url.rfind("https://api.test/assets/users/11111111-1111-4111-8111-111111111111/a.png?expires=", 0) ==
        0);  // the request's origin
  CHECK(derived.get(url.substr(std::string("https://api.test").size()), {}, object).status() == 200);
  // Not the admin token itself.
  auto sig_of_token =
      assets::asset_signature("adm1n", "users/11111111-1111-4111-8111-111111111111/a.png", kNowS + 3600);
  CHECK(url.find(sig_of_token) == std::string::npos);

  Driver none({{"SUPABASE_JWT_SECRET", kSecret}});
  auto noop = none.run(sign(body, test::user_auth(kUser)), body_then_objects(body));
  CHECK(noop.status() == 501);
  CHECK(noop.json() == Json{{"ok", true}, {"provider", "noop"}, {"message", "asset_signing_not_configured"}});
  CHECK(none.get("/assets/users/11111111-1111-4111-8111-111111111111/a.png?expires=1&sig=x").status() == 403);
}

TEST_CASE("user uploads need an allowed content type; admin uploads are not limited", "[assets][users][types]") {
  const std::string a_file = "users/11111111-1111-4111-8111-111111111111/a.bin";
  const auto user = test::user_auth(kUser);
  auto upload = [&](Driver& driver, std::optional<std::string> type, std::pair<std::string, std::string> auth) {
    testing::RequestSpec spec = put(a_file, std::move(auth));
    spec.headers.erase(std::remove_if(spec.headers.begin(), spec.headers.end(),
                                      [](const auto& header) { return header.first == "content-type"; }),
                       spec.headers.end());
    if (type) spec.headers.emplace_back("content-type", *type);
    return driver.run(spec, stored);
  };
  Driver driver(kEnv);
  for (const char* allowed : {"image/png", "IMAGE/JPEG", "video/mp4", "audio/mpeg", "text/plain; charset=utf-8",
                              "application/json", "application/pdf"})
    CHECK(upload(driver, allowed, user).status() == 200);
  for (const char* refused : {"application/octet-stream", "text/html", "image/svg+xml", "application/javascript",
                              "image", "image/png/x", ""}) {
    auto out = upload(driver, refused, user);
    CHECK(out.status() == 415);
    CHECK(out.json()["error"] == "unsupported_media_type");
    CHECK(out.effects.empty());  // refused before the body is read
  }
  auto untyped = upload(driver, std::nullopt, user);
  CHECK(untyped.status() == 415);
  CHECK(untyped.json()["message"].get<std::string>().find("Content-Type") != std::string::npos);
  CHECK(upload(driver, "text/html", kAdmin).status() == 200);

  Driver custom({{"SUPABASE_JWT_SECRET", kSecret}, {"UPLOAD_CONTENT_TYPES", "application/zip, model/*"}});
  CHECK(upload(custom, "application/zip", user).status() == 200);
  CHECK(upload(custom, "model/gltf-binary", user).status() == 200);
  auto png = upload(custom, "image/png", user);
  CHECK(png.status() == 415);
  CHECK(png.json()["allowed"] == Json::array({"application/zip", "model/*"}));
}

TEST_CASE("user uploads reserve room under USER_STORAGE_BYTES, then record what was stored", "[assets][users][quota]") {
  const std::string id = "11111111-1111-4111-8111-111111111111";
  const std::string key = "users/" + id + "/a.png";
  const std::string reservation = "33333333-3333-4333-8333-333333333333";
  Driver driver(kEnv);
  auto out = driver.run(put(key, test::user_auth(id)), stored);
  REQUIRE(out.status() == 200);
  REQUIRE(out.effects.size() == 3);
  CHECK(out.effects[0]["params"] == Json::array({id, key, 1, 1ull << 30}));  // the default: 1 GiB
  CHECK(out.effects[1]["op"] == "r2.put");
  CHECK(is_sql(out.effects[2], "select public.finish_upload"));
  CHECK(out.effects[2]["params"] == Json::array({reservation, id, key, 1}));

  // No room: 413 with what is used and the limit; the body is never read.
  Driver small({{"SUPABASE_JWT_SECRET", kSecret}, {"USER_STORAGE_BYTES", "1000"}});
  auto full = small.run(put(key, test::user_auth(id)), [](const Json& effect) -> Reply {
    REQUIRE(is_sql(effect, "select reservation, used from public.reserve_upload"));
    CHECK(effect["params"][3] == 1000);
    return {{{"rows", Json::array({{{"reservation", nullptr}, {"used", 1000}}})}}};
  });
  CHECK(full.status() == 413);
  CHECK(full.json()["error"] == "quota_exceeded");
  CHECK(full.json()["used"] == 1000);
  CHECK(full.json()["limit"] == 1000);
  CHECK(full.effects.size() == 1);

  // A failed put gives the room back (nothing stored) before answering.
  auto broken = driver.run(put(key, test::user_auth(id)), [&](const Json& effect) -> Reply {
    if (effect["op"] == "r2.put") return Reply{{{"error", {{"code", "r2_error"}}}}};
    return stored(effect);
  });
  CHECK(broken.status() == 500);
  REQUIRE(broken.effects.size() == 3);
  CHECK(broken.effects[2]["params"] == Json::array({reservation, id, key, nullptr}));
}

TEST_CASE("admin uploads into a user's folder count for that user but are not limited", "[assets][users][quota]") {
  const std::string key = "users/22222222-2222-4222-8222-222222222222/by-admin.png";
  Driver driver(kEnv);
  auto out = driver.run(put(key, kAdmin), stored);
  REQUIRE(out.status() == 200);
  CHECK(out.effects[0]["params"] == Json::array({"22222222-2222-4222-8222-222222222222", key, 1, nullptr}));
  // Public keys and folders that are no user's are not counted: no SQL at all.
  for (const std::string other : {"public/a.png", "users/not-a-uuid/a.png", "users/a.png"}) {
    auto plain = driver.run(put(other, kAdmin), stored);
    CHECK(plain.status() == 200);
    REQUIRE(plain.effects.size() == 1);
    CHECK(plain.effects[0]["op"] == "r2.put");
  }
}

TEST_CASE("deleting a user's upload gives its room back", "[assets][users][quota]") {
  const std::string id = "11111111-1111-4111-8111-111111111111";
  Driver driver(kEnv);
  auto respond = [](const Json& effect) -> Reply {
    if (effect["op"] == "r2.delete") return Reply{Json::object()};
    REQUIRE(is_sql(effect, "select public.forget_upload"));
    return {{{"rows", Json::array({Json::object()})}}};
  };
  auto out = driver.run({"DELETE", "/assets/users/" + id + "/a.png", {test::user_auth(id)}}, respond);
  CHECK(out.status() == 200);
  REQUIRE(out.effects.size() == 2);
  CHECK(out.effects[1]["params"] == Json::array({"users/" + id + "/a.png"}));
  auto output = driver.run({"DELETE", "/assets/outputs/" + id + "/job/1.png", {test::user_auth(id)}}, respond);
  CHECK(output.status() == 200);
  CHECK(output.effects.size() == 1);  // outputs do not count
}
