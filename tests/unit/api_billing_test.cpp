// The billing endpoints with a scripted database and Stripe: the 501 noop, what is sent to
// Stripe (form fields, pinned version, idempotency keys, the caller's own customer), return
// URLs on allowed origins only, and the Stripe webhook's order of work: signature first,
// then one stripe_apply_event call, nothing else.
#include <catch2/catch.hpp>

#include <map>

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"
#include "providers/stripe.hpp"
#include "support/driver.hpp"
#include "support/users.hpp"

using namespace ag;
using namespace ag::testing;

namespace {
const std::string kUser = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";
const std::string kStripe = "http://127.0.0.1:9/stripe";
const std::string kWebhookSecret = "whsec_handler_test";
const Driver::Env kEnv = {{"SUPABASE_JWT_SECRET", test::kJwtSecret},
                          {"STRIPE_SECRET_KEY", "sk_test_123"},
                          {"STRIPE_WEBHOOK_SECRET", kWebhookSecret},
                          {"STRIPE_API_BASE", kStripe + "/"},
                          {"CORS_ORIGINS", "https://app.example.com"}};

Reply http(int status, const Json& body) {
  return Reply{{{"status", status}, {"headers", Json::array()}, {"has_body", true}}, dump(body)};
}

const Json kPackRow = {{"id", "pack-100"},
                       {"kind", "pack"},
                       {"name", "100 credits"},
                       {"credits", 100},
                       {"stripe_price_id", "price_credits_100"},
                       {"billing_interval", nullptr}};
const Json kPlanRow = {{"id", "pro-monthly"},
                       {"kind", "plan"},
                       {"name", "Pro"},
                       {"credits", 300},
                       {"stripe_price_id", "price_pro_monthly"},
                       {"billing_interval", "month"}};

/// A scripted world: the request body, the database (customer known or not, the product
/// row found), and Stripe (answers by path). Every form body sent is kept by path.
struct World {
  std::string body;
  std::optional<std::string> customer;
  Json product = kPackRow;
  int stripe_status = 200;
  std::map<std::string, Json> sent;  // path → the fetch effect

  testing::Responder responder() {
    return [this](const Json& effect) -> Reply {
      if (effect["op"] == "request.body") return Reply{{{"size", body.size()}}, body};
      if (effect["op"] == "fetch") {
        std::string path = effect["url"].get<std::string>().substr(kStripe.size());
        sent[path] = effect;
        if (path == "/v1/customers") return http(stripe_status, {{"id", "cus_new"}, {"object", "customer"}});
        if (path == "/v1/checkout/sessions")
          return http(stripe_status, {{"id", "cs_test_1"}, {"url", "https://checkout.stripe.com/c/pay/cs_test_1"}});
        if (path == "/v1/billing_portal/sessions")
          return http(stripe_status, {{"id", "bps_1"}, {"url", "https://billing.stripe.com/p/session/bps_1"}});
        FAIL("unexpected Stripe call " << path);
      }
      REQUIRE(effect["op"] == "sql");
      std::string query = effect["query"];
      if (query.find("from public.stripe_customers") != std::string::npos)
        return customer ? rows(Json::array({{{"customer_id", *customer}}})) : rows(Json::array());
      if (query.find("link_stripe_customer") != std::string::npos)
        return rows(Json::array({{{"customer_id", effect["params"][1]}}}));
      if (query.find("from public.billing_products") != std::string::npos)
        return product.is_null() ? rows(Json::array()) : rows(Json::array({product}));
      FAIL("unexpected SQL " << query);
      return {};
    };
  }

  /// The decoded form fields of the request sent to `path`.
  std::map<std::string, std::string> form(const std::string& path) {
    std::map<std::string, std::string> fields;
    std::string text = sent[path]["body"];
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = std::min(text.find('&', start), text.size());
      std::string pair = text.substr(start, end - start);
      auto equals = pair.find('=');
      fields[*percent_decode(pair.substr(0, equals), true)] = *percent_decode(pair.substr(equals + 1), true);
      start = end + 1;
    }
    return fields;
  }
};

testing::RequestSpec post(const std::string& path, const std::string& body, bool user = true) {
  testing::RequestSpec spec{"POST", path, {{"content-length", std::to_string(body.size())}}, true};
  if (user) spec.headers.push_back(test::user_auth(kUser));
  return spec;
}

Json header_map(const Json& effect) {
  Json map = Json::object();
  for (const Json& pair : effect["headers"]) map[pair[0].get<std::string>()] = pair[1];
  return map;
}

const Json kNoop = {{"ok", true}, {"provider", "noop"}, {"message", "stripe_not_configured"}};
}  // namespace

TEST_CASE("Billing without Stripe answers the 501 noop", "[billing]") {
  Driver driver({{"SUPABASE_JWT_SECRET", test::kJwtSecret}});
  for (std::string path : {"/billing/checkout", "/billing/portal", "/webhooks/stripe"}) {
    INFO(path);
    auto out = driver.run(post(path, "{}"));
    CHECK(out.status() == 501);
    CHECK(out.json() == kNoop);
    CHECK(out.effects.empty());
  }
  // Who is calling comes first: an anonymous checkout or portal is a 401, configured or not.
  for (std::string path : {"/billing/checkout", "/billing/portal"}) {
    INFO(path);
    auto anonymous = driver.run(post(path, "{}", false));
    CHECK(anonymous.status() == 401);
    CHECK(anonymous.json()["error"] == "unauthorized");
  }
}

TEST_CASE("POST /billing/checkout: a pack, on a new customer, exactly as Stripe takes it", "[billing][stripe]") {
  Driver driver(kEnv);
  World world;
  world.body = R"({"pack_id":"pack-100","success_url":"https://app.example.com/ok?x=1&y=2"})";
  auto out = driver.run(post("/billing/checkout", world.body), world.responder());
  REQUIRE(out.status() == 200);
  CHECK(out.json() ==
        Json{{"ok", true}, {"url", "https://checkout.stripe.com/c/pay/cs_test_1"}, {"session_id", "cs_test_1"}});

  Json customer_headers = header_map(world.sent["/v1/customers"]);
  CHECK(customer_headers["authorization"] == "Bearer sk_test_123");
  CHECK(customer_headers["stripe-version"] == std::string(stripe::kApiVersion));
  CHECK(customer_headers["idempotency-key"] == "customer-" + kUser);
  CHECK(customer_headers["content-type"] == "application/x-www-form-urlencoded");
  CHECK(world.form("/v1/customers")["metadata[user_id]"] == kUser);

  const Json& session = world.sent["/v1/checkout/sessions"];
  CHECK(session["method"] == "POST");
  CHECK(session["body"].get<std::string>().find("line_items%5B0%5D%5Bprice%5D=price_credits_100") != std::string::npos);
  auto form = world.form("/v1/checkout/sessions");
  CHECK(form == std::map<std::string, std::string>{{"mode", "payment"},
                                                   {"customer", "cus_new"},
                                                   {"client_reference_id", kUser},
                                                   {"line_items[0][price]", "price_credits_100"},
                                                   {"line_items[0][quantity]", "1"},
                                                   {"success_url", "https://app.example.com/ok?x=1&y=2"},
                                                   {"cancel_url", "https://app.example.com/billing?checkout=cancel"},
                                                   {"metadata[user_id]", kUser},
                                                   {"metadata[pack_id]", "pack-100"}});
  Json headers = header_map(session);
  CHECK(headers["stripe-version"] == std::string(stripe::kApiVersion));
  CHECK(headers["idempotency-key"].get<std::string>().rfind("checkout-", 0) == 0);
}

TEST_CASE("POST /billing/checkout: a plan by price id, on the known customer", "[billing][stripe]") {
  Driver driver(kEnv);
  World world;
  world.customer = "cus_known";
  world.product = kPlanRow;
  world.body = R"({"price_id":"price_pro_monthly"})";
  auto spec = post("/billing/checkout", world.body);
  spec.headers.emplace_back("idempotency-key", "retry-me");
  auto out = driver.run(spec, world.responder());
  REQUIRE(out.status() == 200);
  CHECK(world.sent.count("/v1/customers") == 0);
  auto form = world.form("/v1/checkout/sessions");
  CHECK(form["mode"] == "subscription");
  CHECK(form["customer"] == "cus_known");
  CHECK(form["metadata[plan_id]"] == "pro-monthly");
  CHECK(form["subscription_data[metadata][user_id]"] == kUser);
  CHECK(form["success_url"] == "https://app.example.com/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}");
  // The caller's key, scoped to the caller: the same retry gets the same Stripe session.
  CHECK(header_map(world.sent["/v1/checkout/sessions"])["idempotency-key"] ==
        "checkout-" + crypto::sha256_hex(kUser + "\nretry-me"));
  for (const Json& effect : out.effects) {
    if (effect["op"] != "sql" || effect["query"].get<std::string>().find("billing_products") == std::string::npos)
      continue;
    CHECK(effect["params"] == Json::array({"price_id", "price_pro_monthly"}));
  }
}

TEST_CASE("POST /billing/checkout: the console on the API's own origin is a return page", "[billing][stripe]") {
  Driver driver(kEnv);
  World world;
  world.body = R"({"pack_id":"pack-100","success_url":"https://api.test/console/#/billing?paid=1",)"
               R"("cancel_url":"https://api.test/console/#/billing"})";
  auto out = driver.run(post("/billing/checkout", world.body), world.responder());
  REQUIRE(out.status() == 200);
  auto form = world.form("/v1/checkout/sessions");
  CHECK(form["success_url"] == "https://api.test/console/#/billing?paid=1");
  CHECK(form["cancel_url"] == "https://api.test/console/#/billing");

  World elsewhere;
  elsewhere.body = R"({"pack_id":"pack-100","success_url":"https://api.test/assets/public/x"})";
  CHECK(driver.run(post("/billing/checkout", elsewhere.body), elsewhere.responder()).status() == 400);
}

TEST_CASE("POST /billing/checkout refuses bad requests before calling Stripe", "[billing]") {
  Driver driver(kEnv);
  CHECK(driver.run(post("/billing/checkout", R"({"pack_id":"pack-100"})", false)).status() == 401);
  for (std::string body : {R"({})", R"({"pack_id":"pack-100","price_id":"price_x"})", R"({"pack_id":7})",
                           R"({"pack_id":""})", R"({"pack_id":"pack-100","success_url":"https://evil.example/"})",
                           R"({"pack_id":"pack-100","cancel_url":"https://app.example.com@evil.example/"})",
                           R"({"pack_id":"pack-100","success_url":42})", "[1]"}) {
    INFO(body);
    World world;
    world.body = body;
    auto out = driver.run(post("/billing/checkout", body), world.responder());
    CHECK(out.status() == 400);
    CHECK(out.json()["error"] == "invalid_request");
    CHECK(world.sent.empty());
  }
  World unknown;
  unknown.product = nullptr;
  unknown.body = R"({"pack_id":"pack-999"})";
  auto out = driver.run(post("/billing/checkout", unknown.body), unknown.responder());
  CHECK(out.status() == 400);
  CHECK(out.json()["message"] == "unknown or disabled pack_id");
  CHECK(unknown.sent.empty());

  Driver no_origins({{"SUPABASE_JWT_SECRET", test::kJwtSecret}, {"STRIPE_SECRET_KEY", "sk_test_123"}});
  World bare;
  bare.body = R"({"pack_id":"pack-100"})";
  CHECK(no_origins.run(post("/billing/checkout", bare.body), bare.responder()).status() == 400);
}

TEST_CASE("POST /billing/checkout: Stripe refusing is a 502 that names no secret", "[billing][stripe]") {
  Driver driver(kEnv);
  World world;
  world.stripe_status = 402;
  world.body = R"({"pack_id":"pack-100"})";
  auto out = driver.run(post("/billing/checkout", world.body), world.responder());
  CHECK(out.status() == 502);
  CHECK(out.json()["error"] == "provider_error");
  CHECK(out.body().find("sk_test") == std::string::npos);
}

TEST_CASE("POST /billing/portal: the customer's portal, back to an allowed origin", "[billing][stripe]") {
  Driver driver(kEnv);
  World world;
  world.customer = "cus_known";
  auto out = driver.run(post("/billing/portal", ""), world.responder());
  REQUIRE(out.status() == 200);
  CHECK(out.json() == Json{{"ok", true}, {"url", "https://billing.stripe.com/p/session/bps_1"}});
  CHECK(world.form("/v1/billing_portal/sessions") ==
        std::map<std::string, std::string>{{"customer", "cus_known"},
                                           {"return_url", "https://app.example.com/billing?portal=return"}});
  World elsewhere;
  elsewhere.body = R"({"return_url":"https://evil.example/"})";
  CHECK(driver.run(post("/billing/portal", elsewhere.body), elsewhere.responder()).status() == 400);
}

TEST_CASE("GET /billing/catalog lists packs and plans for anyone", "[billing]") {
  Driver driver(kEnv);
  auto out = driver.get("/billing/catalog", {}, [](const Json& effect) {
    REQUIRE(effect["op"] == "sql");
    return rows(Json::array({kPackRow, kPlanRow}));
  });
  REQUIRE(out.status() == 200);
  CHECK(out.json()["packs"] == Json::array({{{"id", "pack-100"},
                                             {"kind", "pack"},
                                             {"name", "100 credits"},
                                             {"credits", 100},
                                             {"price_id", "price_credits_100"},
                                             {"mode", "payment"},
                                             {"interval", nullptr}}}));
  CHECK(out.json()["plans"][0]["mode"] == "subscription");
  CHECK(out.json()["plans"][0]["interval"] == "month");
}

TEST_CASE("GET /billing/subscription: the caller's current subscription", "[billing]") {
  Driver driver(kEnv);
  CHECK(driver.get("/billing/subscription").status() == 401);
  Json row = {{"subscription_id", "sub_1"},
              {"status", "active"},
              {"plan_id", "pro-monthly"},
              {"price_id", "price_pro_monthly"},
              {"current_period_end", "2026-12-22T00:00:00.000Z"},
              {"cancel_at_period_end", false},
              {"payment_failed_at", nullptr}};
  auto out = driver.get("/billing/subscription", {test::user_auth(kUser)}, [&](const Json& effect) {
    REQUIRE(effect["op"] == "sql");
    CHECK(effect["params"] == Json::array({kUser}));
    return rows(Json::array({row}));
  });
  REQUIRE(out.status() == 200);
  CHECK(out.json() == Json{{"ok", true}, {"subscription", row}});
}

// --- POST /webhooks/stripe ---------------------------------------------------------------

namespace {
const std::string kEvent =
    R"({"id":"evt_1","object":"event","type":"checkout.session.completed","created":1700000000,"livemode":false,)"
    R"("data":{"object":{"id":"cs_1","mode":"payment"}}})";

std::string signature(const std::string& body, std::int64_t t, const std::string& secret = kWebhookSecret) {
  std::string mac = crypto::hex_encode(crypto::as_bytes(crypto::hmac_sha256(secret, std::to_string(t) + "." + body)));
  return "t=" + std::to_string(t) + ",v1=" + mac;
}

testing::RequestSpec delivery(const std::string& body, std::optional<std::string> sig) {
  testing::RequestSpec spec{"POST", "/webhooks/stripe", {{"content-length", std::to_string(body.size())}}, true};
  if (sig) spec.headers.emplace_back("stripe-signature", *sig);
  return spec;
}

/// The body, then stripe_apply_event answering `outcome`; records the SQL effects.
testing::Responder stripe_db(const std::string& body, std::vector<Json>* sql, std::string outcome = "granted") {
  return [=](const Json& effect) {
    if (effect["op"] == "request.body") return Reply{{{"size", body.size()}}, body};
    REQUIRE(effect["op"] == "sql");
    sql->push_back(effect);
    return rows(Json::array({{{"outcome", outcome}}}));
  };
}
}  // namespace

TEST_CASE("POST /webhooks/stripe applies a verified event in one SQL call", "[billing][stripe][webhooks]") {
  Driver driver(kEnv);
  std::vector<Json> sql;
  auto out = driver.run(delivery(kEvent, signature(kEvent, test::kDriverNowS)), stripe_db(kEvent, &sql));
  REQUIRE(out.status() == 200);
  CHECK(out.json() == Json{{"received", true}});
  REQUIRE(sql.size() == 1);
  CHECK(sql[0]["query"] ==
        "select public.stripe_apply_event($1::text, $2::text, $3::bigint, $4::boolean, $5::jsonb) as outcome");
  CHECK(sql[0]["params"][0] == "evt_1");
  CHECK(sql[0]["params"][1] == "checkout.session.completed");
  CHECK(sql[0]["params"][2] == 1700000000);
  CHECK(sql[0]["params"][3] == false);
  CHECK(*parse_json(sql[0]["params"][4].get<std::string>()) == Json{{"id", "cs_1"}, {"mode", "payment"}});
  // What was applied is on the request's one log line.
  REQUIRE(out.logs.size() == 1);
  CHECK(out.logs[0]["msg"] == "request");
  CHECK(out.logs[0]["status"] == 200);
  CHECK(out.logs[0]["stripe_event_id"] == "evt_1");
  CHECK(out.logs[0]["stripe_event_type"] == "checkout.session.completed");
  CHECK(out.logs[0]["stripe_outcome"] == "granted");

  // Ignored types and duplicates are 200 as well: Stripe must stop retrying them.
  sql.clear();
  CHECK(driver.run(delivery(kEvent, signature(kEvent, test::kDriverNowS)), stripe_db(kEvent, &sql, "duplicate"))
            .status() == 200);
}

TEST_CASE("POST /webhooks/stripe reads a body that came with the request without asking for it",
          "[billing][stripe][webhooks]") {
  Driver driver(kEnv);
  std::vector<Json> sql;
  testing::RequestSpec spec = delivery(kEvent, signature(kEvent, test::kDriverNowS));
  spec.body = kEvent;
  auto out = driver.run(spec, stripe_db(kEvent, &sql));
  REQUIRE(out.status() == 200);
  REQUIRE(out.effects.size() == 1);  // the statement only: no request.body step
  CHECK(out.effects[0]["op"] == "sql");
  CHECK(out.steps == 2);
  CHECK(sql[0]["params"][0] == "evt_1");

  // The size cap holds for it too, Content-Length or not.
  testing::RequestSpec huge{"POST", "/webhooks/stripe", {{"stripe-signature", "t=1,v1=00"}}, true};
  huge.body = std::string((512 << 10) + 1, ' ');
  auto refused = driver.run(huge);
  CHECK(refused.status() == 413);
}

TEST_CASE("POST /webhooks/stripe refuses bad signatures before reading the event", "[billing][stripe][webhooks]") {
  Driver driver(kEnv);
  const std::int64_t now = test::kDriverNowS;
  const std::string good = signature(kEvent, now);
  std::vector<std::optional<std::string>> refused = {
      std::nullopt,                                                             // no header
      signature(kEvent, now, "whsec_wrong"),                                    // wrong secret
      signature(kEvent + " ", now),                                             // signed another body
      signature(kEvent, now - 301),                                             // stale
      "t=" + std::to_string(now) + ",v0=" + good.substr(good.find("v1=") + 3),  // v0 only
      "nonsense",                                                               // malformed
  };
  for (const auto& sig : refused) {
    INFO(sig.value_or("(none)"));
    std::vector<Json> sql;
    auto out = driver.run(delivery(kEvent, sig), stripe_db(kEvent, &sql));
    CHECK(out.status() == 400);
    CHECK(out.json()["error"] == "invalid_signature");
    CHECK(sql.empty());
  }
}

TEST_CASE("POST /webhooks/stripe: a verified body that is not an event is a 400", "[billing][stripe][webhooks]") {
  Driver driver(kEnv);
  for (std::string body : {std::string("not json"), std::string(R"({"id":"evt_1","type":"x","created":1})"),
                           std::string(R"({"id":"evt_1","type":"x","created":"1","data":{"object":{}}})")}) {
    INFO(body);
    std::vector<Json> sql;
    auto out = driver.run(delivery(body, signature(body, test::kDriverNowS)), stripe_db(body, &sql));
    CHECK(out.status() == 400);
    CHECK(out.json()["error"] == "invalid_request");
    CHECK(sql.empty());
  }
}

TEST_CASE("POST /webhooks/stripe: a paid invoice gets its payment intent from Stripe before it is applied",
          "[billing][stripe][webhooks]") {
  const std::string invoice =
      R"({"id":"evt_2","object":"event","type":"invoice.paid","created":1700000000,"livemode":false,)"
      R"("data":{"object":{"id":"in_1","amount_paid":1900,"billing_reason":"subscription_cycle"}}})";
  Driver driver(kEnv);
  std::vector<Json> sql;
  std::vector<Json> fetched;
  int stripe_status = 200;
  Json payments = {{"object", "list"},
                   {"data", Json::array({{{"id", "inpay_1"},
                                          {"invoice", "in_1"},
                                          {"status", "paid"},
                                          {"payment", {{"type", "payment_intent"}, {"payment_intent", "pi_9"}}}}})}};
  auto respond = [&](const Json& effect) -> Reply {
    if (effect["op"] == "request.body") return Reply{{{"size", invoice.size()}}, invoice};
    if (effect["op"] == "fetch") {
      fetched.push_back(effect);
      return http(stripe_status, stripe_status == 200 ? payments : Json{{"error", {{"type", "api_error"}}}});
    }
    sql.push_back(effect);
    return rows(Json::array({{{"outcome", "granted"}}}));
  };
  auto out = driver.run(delivery(invoice, signature(invoice, test::kDriverNowS)), respond);
  REQUIRE(out.status() == 200);
  REQUIRE(fetched.size() == 1);
  CHECK(fetched[0]["method"] == "GET");
  CHECK(fetched[0]["url"] == kStripe + "/v1/invoice_payments?invoice=in_1&status=paid");
  REQUIRE(sql.size() == 1);
  CHECK((*parse_json(sql[0]["params"][4].get<std::string>()))["payment_intent"] == "pi_9");

  // Stripe failing: nothing is recorded, and the 502 makes Stripe deliver the event again.
  sql.clear();
  stripe_status = 500;
  auto failed = driver.run(delivery(invoice, signature(invoice, test::kDriverNowS)), respond);
  CHECK(failed.status() == 502);
  CHECK(sql.empty());

  // A $0 invoice has no payment to look up.
  fetched.clear();
  const std::string free = R"({"id":"evt_3","object":"event","type":"invoice.paid","created":1700000000,)"
                           R"("data":{"object":{"id":"in_2","amount_paid":0}}})";
  auto out_free = driver.run(delivery(free, signature(free, test::kDriverNowS)), [&](const Json& effect) -> Reply {
    if (effect["op"] == "request.body") return Reply{{{"size", free.size()}}, free};
    if (effect["op"] == "fetch") fetched.push_back(effect);
    return rows(Json::array({{{"outcome", "nothing_paid"}}}));
  });
  CHECK(out_free.status() == 200);
  CHECK(fetched.empty());
}
