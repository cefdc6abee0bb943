// fal.ai's queue API behind the Provider interface, and its webhook signatures' message
// (PROTOCOLS.md "fal.ai").
#include <array>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "auth/jwks.hpp"
#include "crypto/encoding.hpp"
#include "crypto/fal_webhook.hpp"
#include "crypto/sha256.hpp"
#include "providers/fal.hpp"
#include "providers/registry.hpp"

using namespace ag;

namespace {

Config configured() {
  Config config;
  config.set("FAL_KEY", "key-id:secret");
  config.set("FAL_QUEUE_BASE", "http://fal.test/");
  return config;
}

std::unique_ptr<providers::Provider> submitting(std::string model) {
  return providers::configured(configured(), {"fal", std::nullopt, std::move(model)});
}

/// A recorded job's provider: its app, as the job recorded it.
std::unique_ptr<providers::Provider> recorded(std::string app) {
  return providers::configured(configured(), {"fal", std::move(app)});
}

EffectResult reply(int status, std::string body) {
  return EffectResult{{{"status", status}, {"headers", Json::array()}}, std::move(body)};
}

bool has_header(const effect::FetchSpec& spec, std::string_view name, std::string_view value) {
  for (const auto& [n, v] : spec.headers)
    if (n == name && v == value) return true;
  return false;
}

}  // namespace

TEST_CASE("fal is configured by its key; the queue and the JWKS default to fal's", "[fal]") {
  CHECK_FALSE(fal::settings(Config{}));
  Config key_only;
  key_only.set("FAL_KEY", "k");
  auto defaults = fal::settings(key_only);
  REQUIRE(defaults);
  CHECK(defaults->queue_base == "https://queue.fal.run");
  CHECK(defaults->jwks_url == "https://rest.alpha.fal.ai/.well-known/jwks.json");
  CHECK(fal::settings(configured())->queue_base == "http://fal.test");
  CHECK(providers::accepting(key_only) == std::vector<std::string>{"runpod", "fal"});
  CHECK_FALSE(providers::configured(Config{}, {"fal", std::nullopt, std::string("fal-ai/flux/dev")}));
}

TEST_CASE("fal requests live under the endpoint id's app", "[fal]") {
  CHECK(fal::queue_app("fal-ai/flux/dev") == "fal-ai/flux");
  CHECK(fal::queue_app("fal-ai/kling-video/v2/master/text-to-video") == "fal-ai/kling-video");
  CHECK(fal::queue_app("fal-ai/fast-sdxl") == "fal-ai/fast-sdxl");
  CHECK(fal::queue_app("workflows/owner/app/sub") == "workflows/owner/app");
  CHECK(fal::queue_app("comfy/owner/app") == "comfy/owner/app");
  CHECK(fal::queue_app("solo") == "solo");
}

TEST_CASE("fal submissions go to the endpoint id with the webhook; the job records the app", "[fal]") {
  auto provider = submitting("fal-ai/flux/dev");
  auto spec = provider->submit_request(Json{{"prompt", "a cat"}, {"model", "flux"}, {"seed", 7}},
                                       "https://api.test/webhooks/fal/j?token=t&x=1");
  CHECK(spec.method == "POST");
  CHECK(spec.url ==
        "http://fal.test/fal-ai/flux/dev?fal_webhook=https%3A%2F%2Fapi.test%2Fwebhooks%2Ffal%2Fj%3Ftoken%3Dt%26x%3D1");
  CHECK(has_header(spec, "authorization", "Key key-id:secret"));
  // our `model` sets the price; fal gets the caller's input without it
  CHECK(*parse_json(*spec.body) == Json{{"prompt", "a cat"}, {"seed", 7}});
  CHECK(provider->job_endpoint() == "fal-ai/flux");

  auto accepted = provider->submit_reply(reply(200, R"({"request_id":"r1","status":"IN_QUEUE","queue_position":0})"));
  REQUIRE(accepted);
  CHECK(accepted->id == "r1");
  CHECK(accepted->status == "submitted");
  auto no_status = provider->submit_reply(reply(200, R"({"request_id":"r2","gateway_request_id":"r2"})"));
  REQUIRE(no_status);
  CHECK(no_status->status == "submitted");
  CHECK_FALSE(provider->submit_reply(reply(422, R"({"detail":[]})")));
  CHECK_FALSE(provider->submit_reply(reply(200, R"({"detail":"no id"})")));
}

TEST_CASE("a fal status names the stage; COMPLETED needs its result read", "[fal]") {
  auto provider = recorded("fal-ai/flux");
  CHECK(provider->status_request("r1")->url == "http://fal.test/fal-ai/flux/requests/r1/status");
  CHECK(provider->cancel_request("r1")->url == "http://fal.test/fal-ai/flux/requests/r1/cancel");
  CHECK(provider->cancel_request("r1")->method == "PUT");

  auto queued = provider->status_reply(reply(200, R"({"status":"IN_QUEUE","queue_position":3})"), "r1").state;
  REQUIRE(queued);
  CHECK(queued->status == "submitted");
  CHECK_FALSE(provider->result_request(*queued));
  auto running = provider->status_reply(reply(200, R"({"status":"IN_PROGRESS","logs":[]})"), "r1").state;
  REQUIRE(running);
  CHECK(running->status == "running");
  CHECK(provider->status_reply(reply(503, "busy"), "r1").unreachable);

  auto done = provider->status_reply(reply(200, R"({"status":"COMPLETED"})"), "r1").state;
  REQUIRE(done);
  CHECK(provider->output(*done).is_null());
  auto read = provider->result_request(*done);
  REQUIRE(read);
  CHECK(read->method == "GET");
  CHECK(read->url == "http://fal.test/fal-ai/flux/requests/r1");
}

TEST_CASE("a fal result is the outcome: the payload, or the error it failed with", "[fal]") {
  auto provider = recorded("fal-ai/flux");
  providers::JobState done{"r1", "COMPLETED", "completed", Json{{"status", "COMPLETED"}}};

  auto ok = provider->result_reply(
      reply(
          200,
          R"({"images":[{"url":"https://v3.fal.media/a.png","content_type":"image/png"},{"url":"https://v3.fal.media/b.png"}],)"
          R"("video":{"url":"https://v3.fal.media/c.mp4"},"seed":42,"has_nsfw_concepts":[false]})"),
      done);
  REQUIRE(ok.state);
  CHECK(ok.state->status == "completed");
  CHECK_FALSE(provider->result_request(*ok.state));
  Json files = provider->output(*ok.state);
  REQUIRE(files.size() == 3);
  CHECK(files[0]["url"] == "https://v3.fal.media/a.png");
  CHECK(files[2]["url"] == "https://v3.fal.media/c.mp4");

  auto model_error = provider->result_reply(reply(422, R"({"detail":[{"msg":"field required"}]})"), done);
  REQUIRE(model_error.state);
  CHECK(model_error.state->status == "failed");
  CHECK(model_error.state->body["error"] == "http_422");
  auto fal_error =
      provider->result_reply(reply(504, R"({"detail":"Request timed out","error_type":"request_timeout"})"), done);
  REQUIRE(fal_error.state);
  CHECK(fal_error.state->status == "failed");
  CHECK(fal_error.state->body["error"] == "request_timeout");

  for (auto unreachable : {reply(502, "<html>bad gateway</html>"), reply(429, "{}"), reply(0, "")}) {
    auto later = provider->result_reply(unreachable, done);
    CHECK(later.unreachable);
    REQUIRE(later.state);
    CHECK_FALSE(later.state->status);
  }
  EffectResult huge{{{"error", {{"code", "too_large"}, {"status", 200}}}}, ""};
  auto too_large = provider->result_reply(huge, done);
  REQUIRE(too_large.state);
  CHECK(too_large.state->status == "failed");
  CHECK(too_large.state->body["error"] == "output_too_large");
}

TEST_CASE("a fal webhook carries the outcome; without its payload the result is read", "[fal]") {
  auto provider = recorded("fal-ai/flux");
  auto ok = provider->parse_callback(
      R"({"request_id":"r1","gateway_request_id":"r1","status":"OK","payload":{"audio":{"url":"https://x/a.wav"}}})");
  REQUIRE(ok);
  CHECK(ok->id == "r1");
  CHECK(ok->status == "completed");
  CHECK_FALSE(provider->result_request(*ok));
  CHECK(provider->output(*ok) == Json::array({Json{{"url", "https://x/a.wav"}}}));

  auto failed = provider->parse_callback(
      R"({"request_id":"r1","status":"ERROR","error":"Invalid status code: 422","payload":{}})");
  REQUIRE(failed);
  CHECK(failed->status == "failed");
  CHECK(provider->output(*failed).is_null());

  auto unserialisable =
      provider->parse_callback(R"({"request_id":"r1","status":"OK","payload":null,"payload_error":"x"})");
  REQUIRE(unserialisable);
  CHECK(provider->result_request(*unserialisable));

  for (const char* bad : {R"({"status":"OK"})", R"({"request_id":"r1","status":"COMPLETED"})", "[]", "not json"})
    CHECK_FALSE(provider->parse_callback(bad));
}

TEST_CASE("fal answers a cancel with whether it was still open", "[fal]") {
  auto provider = recorded("fal-ai/flux");
  auto cancelled = provider->cancel_reply(reply(202, R"({"status":"CANCELLATION_REQUESTED"})"));
  REQUIRE(cancelled);
  CHECK(cancelled->status == "cancelled");
  auto late = provider->cancel_reply(reply(400, R"({"status":"ALREADY_COMPLETED"})"));
  REQUIRE(late);
  CHECK(late->status == "completed");
  CHECK(provider->output(*late).is_null());  // jobs/ then reads how it ended
  auto unknown = provider->cancel_reply(reply(404, R"({"status":"NOT_FOUND"})"));
  REQUIRE(unknown);
  CHECK_FALSE(unknown->status);
}

TEST_CASE("fal signs the request id, user id, timestamp and the body's SHA-256, one per line", "[fal]") {
  const std::string body = R"({"request_id":"r1","status":"OK","payload":{}})";
  CHECK(fal_webhook::signed_message("r1", "user-1", "1700000000", body) ==
        "r1\nuser-1\n1700000000\n" + crypto::sha256_hex(body));

  const std::string signature(128, 'a');
  auto ready = fal_webhook::prepare("r1", "user-1", "1700000000", signature, body, 1700000100);
  CHECK(ready.check == fal_webhook::Check::ready);
  CHECK(ready.message == fal_webhook::signed_message("r1", "user-1", "1700000000", body));
  CHECK(ready.signature == std::string(64, '\xaa'));

  CHECK(fal_webhook::prepare("r1", "user-1", "1700000000", signature, body, 1700000301).check ==
        fal_webhook::Check::stale);
  CHECK(fal_webhook::prepare("r1", "user-1", "1700000301", signature, body, 1700000000).check ==
        fal_webhook::Check::stale);
  CHECK(fal_webhook::prepare("r1", "user-1", "1700000300", signature, body, 1700000000).check ==
        fal_webhook::Check::ready);
  for (auto [id, user, timestamp, sig] : std::vector<std::array<std::string, 4>>{
           {"", "user-1", "1700000000", signature},
           {"r1", "", "1700000000", signature},
           {"r1", "user 1", "1700000000", signature},
           {"r1", "user-1", "17e8", signature},
           {"r1", "user-1", "1700000000", signature.substr(2)},
           {"r1", "user-1", "1700000000", std::string(128, 'z')},
       })
    CHECK(fal_webhook::prepare(id, user, timestamp, sig, body, 1700000000).check == fal_webhook::Check::malformed);
}

TEST_CASE("Ed25519 keys of a JWKS are kept, with or without a kid", "[fal][jwks]") {
  const std::string x = crypto::base64url_encode(std::string(32, '\x01'));
  Json document = {
      {"keys", Json::array({
                   Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", x}, {"kid", "fal-1"}},
                   Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", x}},
                   Json{{"kty", "OKP"}, {"crv", "Ed448"}, {"x", x}, {"kid", "ed448"}},
                   Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", x}, {"alg", "ES256"}, {"kid", "mislabelled"}},
                   Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AAAA"}, {"kid", "short"}},
               })}};
  auto jwks = auth::parse_jwks(dump(document));
  REQUIRE(jwks);
  REQUIRE(jwks->find("fal-1"));
  CHECK(jwks->find("fal-1")->alg == "EdDSA");
  CHECK(jwks->find("fal-1")->members == Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", x}});
  CHECK(jwks->by_kid.size() == 1);
  CHECK(jwks->without_kid.size() == 1);
}
