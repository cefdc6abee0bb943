#!/usr/bin/env bash
# Smoke checks of a running API: the original smoke workflow's calls (health, webhook test,
# asset put/get, job create + status, /me, billing checkout) with curl, each printed as one
# PASS / FAIL / SKIP line. Exits non-zero when any check fails.
#
#   scripts/smoke.sh https://api-staging.alphogen.com
#   APP_ADMIN_TOKEN=dev-admin-token WEBHOOK_SECRET=dev-webhook-secret scripts/smoke.sh http://127.0.0.1:8787
#
# Every check adapts to the secrets present in the environment (each optional):
#   APP_ADMIN_TOKEN        deep health, asset put/get/delete, job create/status/cancel (else SKIP)
#   WEBHOOK_SECRET         POST /webhooks/test must answer 200 (else: must refuse with 401)
#   SMOKE_USER_TOKEN       a Supabase access token: /me and checkout run as that user (else
#                          both must at least answer the unauthenticated call as documented)
#   SMOKE_USER_ID + SUPABASE_JWT_SECRET   without SMOKE_USER_TOKEN: mint a 10-minute HS256
#                          token for that user (iss from SUPABASE_URL when set), as Supabase would
#   RUNPOD_API_KEY + RUNPOD_ENDPOINT_ID   set: the job must reach RunPod (else the 202 noop
#                          shape is accepted too)
#   SUPABASE_URL or SUPABASE_JWT_SECRET   set: /me must not be the 501 noop
#   STRIPE_SECRET_KEY      set: checkout must create a session (else 404/501 count as
#                          "billing not configured")
#   SMOKE_PRICE_ID         the checkout's price_id (default price_pro_monthly)
#   SMOKE_WAIT_SECONDS     how long to wait for /health before giving up (default 60)
#   SMOKE_RETRIES          curl retries of transient failures per call (default 3)
# Secrets never appear on a command line or in the output: headers reach curl through file
# descriptors.
set -euo pipefail

BASE_URL=${1:-}
if [ -z "$BASE_URL" ]; then
  echo "usage: scripts/smoke.sh BASE_URL" >&2
  exit 2
fi
BASE_URL=${BASE_URL%/}

if ! command -v curl >/dev/null; then
  # shellcheck source-path=SCRIPTDIR source=lib/deps.sh
  source "$(dirname "${BASH_SOURCE[0]}")/lib/deps.sh"
  apt_ensure curl
fi

# An HS256 access token for SMOKE_USER_ID signed with the project's JWT secret, the claims
# the Worker checks (DESIGN.md, docs/endpoints.md "Authentication"); the secret travels in the environment.
mint_user_token() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const crypto = require("crypto");
    const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: process.env.SMOKE_USER_ID, aud: "authenticated", role: "authenticated",
      iat: now, exp: now + 600, email: "smoke@alphogen.invalid" };
    if (process.env.SUPABASE_URL) claims.iss = `${process.env.SUPABASE_URL.replace(/\/+$/, "")}/auth/v1`;
    const signed = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
    const sig = crypto.createHmac("sha256", process.env.SUPABASE_JWT_SECRET).update(signed).digest("base64url");
    process.stdout.write(`${signed}.${sig}`);
  '
}

ADMIN=${APP_ADMIN_TOKEN:-}
USER_TOKEN=${SMOKE_USER_TOKEN:-}
if [ -z "$USER_TOKEN" ] && [ -n "${SMOKE_USER_ID:-}" ] && [ -n "${SUPABASE_JWT_SECRET:-}" ]; then
  USER_TOKEN=$(mint_user_token)
fi
WAIT_SECONDS=${SMOKE_WAIT_SECONDS:-60}
RETRIES=${SMOKE_RETRIES:-3}
RUN_ID="$(date +%s)-$$-$RANDOM"
RUNPOD_EXPECTED=$([ -n "${RUNPOD_API_KEY:-}" ] && [ -n "${RUNPOD_ENDPOINT_ID:-}" ] && echo 1 || echo 0)
AUTH_EXPECTED=$([ -n "${SUPABASE_URL:-}${SUPABASE_JWT_SECRET:-}" ] && echo 1 || echo 0)
STRIPE_EXPECTED=$([ -n "${STRIPE_SECRET_KEY:-}" ] && echo 1 || echo 0)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BODY_FILE="$WORK/body"
passed=0 failed=0 skipped=0

pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$*"; }
skip() { skipped=$((skipped + 1)); printf 'SKIP  %s\n' "$*"; }
fail() {
  failed=$((failed + 1))
  printf 'FAIL  %s\n' "$*"
  printf '      got HTTP %s: %s\n' "$STATUS" "$(head -c 400 "$BODY_FILE" 2>/dev/null | tr -d '\r' | tr '\n' ' ')"
}

# call METHOD PATH [CURL_ARGS...]: sets STATUS; the body lands in $BODY_FILE. curl retries
# connection failures and 408/429/5xx (never 501) a bounded number of times.
STATUS=000
call() {
  local method=$1 path=$2
  shift 2
  STATUS=$(curl -sS -o "$BODY_FILE" -w '%{http_code}' -X "$method" --max-time 30 \
    --retry "$RETRIES" --retry-delay 2 --retry-connrefused "$@" "$BASE_URL$path" 2>"$WORK/curl.err") ||
    { STATUS=000; cp "$WORK/curl.err" "$BODY_FILE"; }
}

# A header carrying a secret, as a path for curl's -H @file (bash's printf is a builtin:
# no process argument ever holds the secret).
bearer() { printf 'Authorization: Bearer %s\n' "$1" >"$WORK/h-$2" && printf '%s' "@$WORK/h-$2"; }

# body_get JS_EXPR: prints the expression's value over the last response (`b` = the parsed
# JSON, null when it is not JSON); empty when it is absent or throws.
body_get() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const fs = require("fs");
    let b = null;
    try { b = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
    const v = new Function("b", `try { return (${process.argv[2]}); } catch { return ""; }`)(b);
    process.stdout.write(v === null || v === undefined ? "" : String(v));
  ' "$BODY_FILE" "$1"
}
# body_is JS_EXPR: true when the expression holds for the last response.
body_is() { [ "$(body_get "Boolean($1)")" = true ]; }

# expect STATUS JS_EXPR PASS_TEXT FAIL_TEXT: the verdict on the last response (1 when failed).
expect() {
  if [ "$STATUS" = "$1" ] && body_is "$2"; then pass "$3"; else fail "$4" && return 1; fi
}

# --- health ------------------------------------------------------------------------------------
wait_for_health() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  while :; do
    STATUS=$(curl -s -o "$BODY_FILE" -w '%{http_code}' --max-time 10 "$BASE_URL/health" 2>/dev/null) || STATUS=000
    [ "$STATUS" = 200 ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 2
  done
}

check_health() {
  if ! wait_for_health; then
    fail "GET /health: no 200 within ${WAIT_SECONDS}s"
    return 1
  fi
  if body_is 'b && b.ok === true && typeof b.ts === "number"'; then
    pass "GET /health: 200 ok, version $(body_get 'b.version')"
  else
    fail "GET /health: not {ok:true, ts:<number>}"
  fi
}

check_deep_health() {
  if [ -z "$ADMIN" ]; then skip "GET /health?deep=1: APP_ADMIN_TOKEN not set"; return; fi
  call GET '/health?deep=1' -H "$(bearer "$ADMIN" admin)"
  expect 200 'b.ok === true && b.checks.database.ok && b.checks.storage.ok' \
    "GET /health?deep=1: 200, database and storage ok" "GET /health?deep=1: expected 200 with database and storage ok"
}

check_openapi() {
  call GET /openapi.json
  expect 200 'String(b.openapi).startsWith("3.1") && Object.keys(b.paths).length > 0' \
    "GET /openapi.json: 200, OpenAPI $(body_get 'b.openapi')" "GET /openapi.json: expected an OpenAPI 3.1 document"
}

# --- webhook -----------------------------------------------------------------------------------
check_webhook() {
  if [ -z "${WEBHOOK_SECRET:-}" ]; then
    call POST /webhooks/test -H 'Content-Type: application/json' --data '{"test":true,"smoke":true}'
    expect 401 'b.ok === false && b.error === "unauthorized"' \
      "POST /webhooks/test: 401 unauthorized without a secret (WEBHOOK_SECRET not set here)" \
      "POST /webhooks/test without X-Webhook-Secret: expected 401 unauthorized"
    return
  fi
  printf 'X-Webhook-Secret: %s\n' "$WEBHOOK_SECRET" >"$WORK/h-webhook"
  call POST /webhooks/test -H "@$WORK/h-webhook" -H 'Content-Type: application/json' \
    --data "{\"test\":true,\"smoke\":\"$RUN_ID\"}"
  expect 200 'b.ok === true && b.received === true' \
    "POST /webhooks/test: 200 received, event $(body_get 'b.event_id')" "POST /webhooks/test: expected 200 {ok:true, received:true}"
}

# --- assets ------------------------------------------------------------------------------------
check_assets() {
  if [ -z "$ADMIN" ]; then skip "PUT/GET /assets: APP_ADMIN_TOKEN not set"; return; fi
  local key="smoke/$RUN_ID.txt" content="smoke $RUN_ID" auth
  auth=$(bearer "$ADMIN" admin)
  call PUT "/assets/$key" -H "$auth" -H 'Content-Type: text/plain' --data-binary "$content"
  expect 200 "b.ok === true && b.key === '$key' && b.size === ${#content}" \
    "PUT /assets/$key: 200, ${#content} bytes" "PUT /assets/$key: expected 200 {ok:true, key, size:${#content}}" || return
  call GET "/assets/$key"
  if [ "$STATUS" = 200 ] && [ "$(cat "$BODY_FILE")" = "$content" ]; then
    pass "GET /assets/$key: 200, the same bytes back"
  else
    fail "GET /assets/$key: expected 200 with the uploaded bytes"
  fi
  call DELETE "/assets/$key" -H "$auth"
  expect 200 'b.ok === true && b.deleted === true' \
    "DELETE /assets/$key: 200, cleaned up" "DELETE /assets/$key: expected 200 {ok:true, deleted:true}"
}

# --- jobs --------------------------------------------------------------------------------------
check_jobs() {
  if [ -z "$ADMIN" ]; then skip "POST /jobs, GET /jobs/:id: APP_ADMIN_TOKEN not set"; return; fi
  local auth job_id provider
  auth=$(bearer "$ADMIN" admin)
  # The Idempotency-Key makes curl's retries replay the first answer instead of a second job.
  call POST /jobs -H "$auth" -H "Idempotency-Key: smoke-$RUN_ID" -H 'Content-Type: application/json' \
    --data '{"prompt":"smoke test video"}'
  if [ "$STATUS" = 200 ] && body_is 'b.ok === true && b.provider === "runpod" && typeof b.provider_job_id === "string" && b.provider_job_id !== "" && typeof b.job_id === "string"'; then
    provider=runpod
    pass "POST /jobs: 200 submitted to RunPod, provider_job_id $(body_get 'b.provider_job_id')"
  elif [ "$RUNPOD_EXPECTED" = 0 ] && [ "$STATUS" = 202 ] &&
    body_is 'b.ok === true && b.provider === "noop" && b.provider_job_id === null && b.message === "runpod_not_configured" && typeof b.job_id === "string"'; then
    provider=noop
    pass "POST /jobs: 202 noop (runpod_not_configured)"
  else
    if [ "$RUNPOD_EXPECTED" = 1 ]; then
      fail "POST /jobs: expected 200 provider runpod with a provider_job_id (RUNPOD_* set)"
    else
      fail "POST /jobs: expected 200 runpod or 202 noop"
    fi
    return
  fi
  job_id=$(body_get 'b.job_id')

  call GET "/jobs/$job_id" -H "$auth"
  if [ "$provider" = noop ] && [ "$STATUS" = 200 ] && body_is "b.ok === true && b.job_id === '$job_id' && b.status === 'noop'"; then
    pass "GET /jobs/$job_id: 200, status noop"
  elif [ "$provider" = runpod ] && [ "$STATUS" = 200 ] &&
    body_is "b.ok === true && b.job_id === '$job_id' && b.provider === 'runpod' && b.result !== null && typeof b.result === 'object'"; then
    pass "GET /jobs/$job_id: 200, status $(body_get 'b.status') with RunPod's JSON"
  else
    fail "GET /jobs/$job_id: expected 200 with the job ($provider)"
  fi

  # A smoke job has no business on a GPU: stop it (already finished is fine too).
  [ "$provider" = runpod ] || return 0
  call POST "/jobs/$job_id/cancel" -H "$auth"
  if { [ "$STATUS" = 200 ] && body_is 'b.ok === true && b.status === "cancelled"'; } ||
    { [ "$STATUS" = 409 ] && body_is 'b.error === "conflict"'; }; then
    pass "POST /jobs/$job_id/cancel: $STATUS, the smoke job does not run on"
  else
    fail "POST /jobs/$job_id/cancel: expected 200 cancelled or 409 conflict"
  fi
}

# --- user --------------------------------------------------------------------------------------
check_me() {
  if [ -n "$USER_TOKEN" ]; then
    call GET /me -H "$(bearer "$USER_TOKEN" user)"
    if [ "$STATUS" = 200 ] && body_is 'b.ok === true && typeof b.user.id === "string" && typeof b.credits.balance === "number"'; then
      pass "GET /me: 200, user $(body_get 'b.user.id'), balance $(body_get 'b.credits.balance')"
      return
    fi
  else
    call GET /me
    if [ "$STATUS" = 401 ] && body_is 'b.ok === false'; then
      pass "GET /me: 401 without a token (auth configured; SMOKE_USER_TOKEN not set, so no profile check)"
      return
    fi
  fi
  if [ "$AUTH_EXPECTED" = 0 ] && [ "$STATUS" = 501 ] && body_is 'b.provider === "noop" && b.message === "supabase_not_configured"'; then
    pass "GET /me: 501 noop (supabase_not_configured)"
  elif [ -n "$USER_TOKEN" ]; then
    fail "GET /me: expected 200 {ok:true, user:{id}, credits:{balance}} for SMOKE_USER_TOKEN"
  else
    fail "GET /me without a token: expected 401, or 501 noop when Supabase is not configured"
  fi
}

# --- billing -----------------------------------------------------------------------------------
# POST /billing/checkout may not be deployed yet (404) or have no Stripe key (501 noop): both
# mean "billing not configured", which fails only when STRIPE_SECRET_KEY says it should be.
check_checkout() {
  local args=(-H 'Content-Type: application/json' --data "{\"price_id\":\"${SMOKE_PRICE_ID:-price_pro_monthly}\"}")
  [ -z "$USER_TOKEN" ] || args+=(-H "$(bearer "$USER_TOKEN" user)")
  call POST /billing/checkout "${args[@]}"
  if [ -n "$USER_TOKEN" ] && [ "$STATUS" = 200 ] &&
    body_is 'b.ok === true && typeof b.url === "string" && typeof b.session_id === "string"'; then
    pass "POST /billing/checkout: 200, session $(body_get 'b.session_id')"
  elif [ -z "$USER_TOKEN" ] && [ "$STATUS" = 401 ] && body_is 'b.ok === false'; then
    pass "POST /billing/checkout: 401 without a token (SMOKE_USER_TOKEN not set, so no session made)"
  elif [ "$STRIPE_EXPECTED" = 0 ] && [ "$STATUS" = 501 ] && body_is 'b.provider === "noop" && b.message === "stripe_not_configured"'; then
    pass "POST /billing/checkout: 501 noop, billing not configured (stripe_not_configured)"
  elif [ "$STRIPE_EXPECTED" = 0 ] && [ "$STATUS" = 404 ] && body_is 'b.error === "not_found"'; then
    pass "POST /billing/checkout: 404, billing not configured (the endpoint is not deployed)"
  else
    fail "POST /billing/checkout: expected 200 {url, session_id}$([ "$STRIPE_EXPECTED" = 1 ] && echo ' (STRIPE_SECRET_KEY set)' || echo ', or 404/501 while billing is not configured')"
  fi
}

echo "smoke: $BASE_URL (run $RUN_ID)"
# Nothing else can pass without /health; otherwise a failed check is counted and the next runs.
if check_health; then
  for check in check_deep_health check_openapi check_webhook check_assets check_jobs check_me check_checkout; do
    "$check" || true
  done
fi
echo "smoke: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
