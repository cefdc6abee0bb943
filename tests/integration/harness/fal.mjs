// A stand-in for fal.ai's queue API (`https://queue.fal.run`) on a loopback port, with
// webhooks signed as fal signs them: Ed25519 (node's crypto) over the request id, user id,
// timestamp and the body's SHA-256, the public keys served as a JWKS (PROTOCOLS.md "fal.ai").
//
//   const fal = await startFal({ key: "fal-key" });
//   fal.url, fal.jwksUrl                    // the Worker's FAL_QUEUE_BASE and FAL_JWKS_URL
//   fal.failNext({ status: 503 })           // the next submission answers this instead
//   const r = fal.last();                   // the latest request: {id, model, app, input, webhook, status, ...}
//   await fal.finish(r.id, { payload: { images: [{ url }] } })       // → the webhook's {status, body}
//   await fal.finish(r.id, { error: "...", httpStatus: 422, detail }, { deliver: false })  // polled instead
//   await fal.deliver(r.id, { timestamp, key })  // (re)sends the webhook, signed as asked
//   fal.unpublishedKey()                    // an Ed25519 private key whose public half the JWKS lacks
//   fal.rotate()                            // signs with a new key, published beside the old one
//   const url = fal.serveFile("a.png", bytes, "image/png")  // an output file, no auth
//   fal.requests, fal.jwksFetches()         // every request seen; how often the JWKS was read
//
// Endpoints (`Authorization: Key <key>`, else 401 {"detail": ...}):
//   POST /{endpoint id}?fal_webhook=URL  the input → 200 {request_id, status: IN_QUEUE, status_url, ...}
//   GET  /{app}/requests/{id}/status     → {status: IN_QUEUE | IN_PROGRESS | COMPLETED, ...}
//   GET  /{app}/requests/{id}            → the payload; its error status and body when it failed;
//                                          400 while it runs
//   PUT  /{app}/requests/{id}/cancel     → 202 CANCELLATION_REQUESTED | 400 ALREADY_COMPLETED | 404 NOT_FOUND
//   GET  /.well-known/jwks.json          → {keys: [{kty: OKP, crv: Ed25519, x, kid}]} (no auth)
// {app} is the endpoint id's owner and app name: fal-ai/flux/dev runs under fal-ai/flux.

import crypto from "node:crypto";
import { startLoopbackServer } from "./loopback-server.mjs";

const USER_ID = "github|alphogen-test";

function keyPair(kid) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "EdDSA", use: "sig" } };
}

export async function startFal({ key }) {
  const requests = new Map();
  const files = new Map();
  const failures = [];
  const published = [keyPair("fal-1")];
  let signer = published[0];
  let jwksFetches = 0;
  let base;

  const json = (status, body) => ({ status, body });
  const urls = (app, id) => {
    const at = `${base}/${app}/requests/${id}`;
    return { response_url: at, status_url: `${at}/status`, cancel_url: `${at}/cancel` };
  };
  const statusOf = (r) => ({ status: r.status, request_id: r.id, ...urls(r.app, r.id), queue_position: 0, logs: null });

  function submit(req) {
    if (req.headers.authorization !== `Key ${key}`) return json(401, { detail: "No user found for Key ID and Secret" });
    const failure = failures.shift();
    if (failure) return json(failure.status, failure.body ?? { detail: "Service unavailable" });
    let input;
    try {
      input = req.json();
    } catch {
      return json(422, { detail: "body is not JSON" });
    }
    const model = req.path.slice(1);
    const app = model.split("/").slice(0, 2).join("/");
    const id = crypto.randomUUID();
    const r = { id, model, app, input, webhook: req.query.fal_webhook ?? null, status: "IN_QUEUE", outcome: null };
    requests.set(id, r);
    return json(200, { request_id: id, gateway_request_id: id, ...statusOf(r) });
  }

  function webhookBody(r) {
    const { ok, payload, error } = r.outcome;
    const body = { request_id: r.id, gateway_request_id: r.id, status: ok ? "OK" : "ERROR", payload };
    if (!ok) body.error = error;
    return JSON.stringify(body);
  }

  /** Sends the request's webhook, signed with `key` (a private KeyObject) at `timestamp`. */
  async function deliver(id, { timestamp = new Date(), key: privateKey = signer.privateKey, body } = {}) {
    const r = requests.get(id);
    const payload = body ?? webhookBody(r);
    const ts = String(Math.floor(timestamp.getTime() / 1000));
    const digest = crypto.createHash("sha256").update(payload).digest("hex");
    const message = [r.id, USER_ID, ts, digest].join("\n");
    const signature = crypto.sign(null, Buffer.from(message), privateKey).toString("hex");
    const res = await fetch(r.webhook, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-fal-webhook-request-id": r.id,
        "x-fal-webhook-user-id": USER_ID,
        "x-fal-webhook-timestamp": ts,
        "x-fal-webhook-signature": signature,
      },
      body: payload,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  function result(r) {
    if (r.status !== "COMPLETED") return json(400, { detail: "Request is still in progress" });
    const { ok, payload, httpStatus, detail, errorType } = r.outcome;
    if (ok) return json(200, payload);
    return json(httpStatus, errorType ? { detail, error_type: errorType } : { detail });
  }

  function requestRoute(req) {
    if (req.headers.authorization !== `Key ${key}`) return json(401, { detail: "No user found for Key ID and Secret" });
    const [, app, id, action] = /^\/(.+)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(req.path);
    const r = requests.get(id);
    if (!r || r.app !== app) return json(404, { status: "NOT_FOUND", detail: "Request not found" });
    if (req.method === "GET" && action === "/status") return json(200, statusOf(r));
    if (req.method === "GET" && !action) return result(r);
    if (req.method === "PUT" && action === "/cancel") {
      if (r.status === "COMPLETED") return json(400, { status: "ALREADY_COMPLETED" });
      Object.assign(r, {
        status: "COMPLETED",
        outcome: { ok: false, httpStatus: 499, detail: "Request cancelled", errorType: "client_cancelled" },
      });
      return json(202, { status: "CANCELLATION_REQUESTED" });
    }
    return json(405, { detail: "Method not allowed" });
  }

  const server = await startLoopbackServer({
    "GET /.well-known/jwks.json": () => {
      jwksFetches += 1;
      return json(200, { keys: published.map((k) => k.jwk) });
    },
    "*": (req) => {
      const file = /^\/files\/(.+)$/.exec(req.path);
      if (file && files.has(file[1])) {
        const { bytes, type } = files.get(file[1]);
        return { status: 200, headers: { "content-type": type }, body: bytes };
      }
      if (/\/requests\/[^/]+(\/status|\/cancel)?$/.test(req.path)) return requestRoute(req);
      if (req.method === "POST") return submit(req);
      return json(404, { detail: "Not found" });
    },
  });
  base = server.url;

  return {
    url: base,
    jwksUrl: `${base}/.well-known/jwks.json`,
    requests: server.requests,
    queue: requests,
    last: () => [...requests.values()].at(-1),
    failNext(answer) {
      failures.push(answer);
    },
    /** Starts running a queued request (IN_PROGRESS). */
    start(id) {
      requests.get(id).status = "IN_PROGRESS";
    },
    /**
     * Ends a request: {payload} succeeded, or {error, httpStatus, detail, errorType} failed.
     * Resolves to its webhook's answer (null when none is sent).
     */
    async finish(id, { payload = null, error, httpStatus = 422, detail = "Unprocessable", errorType } = {}, { deliver: send = true } = {}) {
      const r = requests.get(id);
      if (r.status === "COMPLETED") throw new Error(`request ${id} has already ended`);
      const ok = error === undefined;
      Object.assign(r, { status: "COMPLETED", outcome: { ok, payload: ok ? payload : { detail }, error, httpStatus, detail, errorType } });
      return send && r.webhook ? deliver(id) : null;
    },
    deliver,
    unpublishedKey: () => keyPair("unpublished").privateKey,
    rotate() {
      signer = keyPair(`fal-${published.length + 1}`);
      published.push(signer);
    },
    jwksFetches: () => jwksFetches,
    serveFile(name, bytes, type) {
      files.set(name, { bytes, type });
      return `${base}/files/${name}`;
    },
    close: () => server.close(),
  };
}
