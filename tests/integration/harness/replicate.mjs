// A stand-in for Replicate's predictions API (`https://api.replicate.com/v1`) on a loopback
// port, with completion webhooks signed as Replicate signs them: Standard Webhooks, by the
// `standardwebhooks` package (PROTOCOLS.md "Replicate").
//
//   const replicate = await startReplicate({ token: "r8_test", webhookSecret: "whsec_..." });
//   replicate.url                       // "http://127.0.0.1:PORT/v1": the Worker's REPLICATE_API_BASE
//   replicate.failNext({ status: 500 }) // the next create answers this instead (a 429, a 5xx...)
//   const p = replicate.last();         // the latest prediction: {id, model, version, input, webhook, ...}
//   await replicate.finish(p.id, { status: "succeeded", output: [url] })  // → the webhook's {status, body}
//   await replicate.finish(p.id, { status: "failed", error: "NSFW" }, { deliver: false })  // polled instead
//   await replicate.finish(p.id, { status: "succeeded", output, metrics: { output_token_count: 120 } })
//   await replicate.deliver(p.id, { secret, timestamp })  // (re)sends the webhook, signed as asked
//   const url = replicate.serveFile("a.png", bytes, "image/png")  // an output file, no auth
//   replicate.requests                  // every request seen
//
// Endpoints (JSON; `Authorization: Bearer <token>`, else 401 {"detail": ...}):
//   POST /v1/models/{owner}/{name}/predictions   {input, webhook?, webhook_events_filter?} → 201 prediction
//   POST /v1/predictions                         {version, input, ...}                       → 201 prediction
//   GET  /v1/predictions/{id}                    → the prediction; 404 {"detail":"Not found."}
//   POST /v1/predictions/{id}/cancel             → the prediction, canceled if it was open
//                                                   (its webhook fires); an ended one as it is
// A prediction starts `starting`; finish() ends it. Webhooks go only to predictions created
// with a `webhook`, for terminal statuses (the "completed" filter the Worker sends).

import crypto from "node:crypto";
import { Webhook } from "standardwebhooks";
import { startLoopbackServer } from "./loopback-server.mjs";

const TERMINAL = new Set(["succeeded", "failed", "canceled", "aborted"]);

export async function startReplicate({ token, webhookSecret }) {
  const predictions = new Map();
  const files = new Map();
  const failures = [];
  let base;

  const json = (status, body) => ({ status, body });
  const view = (p) => {
    const { webhookFilter, ...shown } = p;
    return shown;
  };

  function create(req, model, version) {
    if (req.headers.authorization !== `Bearer ${token}`) return json(401, { detail: "Invalid token." });
    const failure = failures.shift();
    if (failure) return json(failure.status, failure.body ?? { detail: "Request was throttled." });
    let body;
    try {
      body = req.json();
    } catch {
      return json(400, { detail: "body is not JSON" });
    }
    if (typeof body.input !== "object" || body.input === null) return json(422, { detail: "input is required" });
    const id = crypto.randomBytes(10).toString("hex");
    const prediction = {
      id,
      model: model ?? "unknown/unknown",
      version: version ?? body.version ?? crypto.randomBytes(32).toString("hex"),
      input: body.input,
      output: null,
      error: null,
      logs: "",
      status: "starting",
      created_at: new Date().toISOString(),
      started_at: null,
      completed_at: null,
      webhook: body.webhook,
      webhookFilter: body.webhook_events_filter,
      urls: { get: `${base}/predictions/${id}`, cancel: `${base}/predictions/${id}/cancel` },
    };
    predictions.set(id, prediction);
    return json(201, view(prediction));
  }

  async function deliver(id, { secret = webhookSecret, timestamp = new Date(), messageId } = {}) {
    const p = predictions.get(id);
    const payload = JSON.stringify(view(p));
    const msgId = messageId ?? `msg_${crypto.randomBytes(8).toString("hex")}`;
    const signature = new Webhook(secret).sign(msgId, timestamp, payload);
    const res = await fetch(p.webhook, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": msgId,
        "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
        "webhook-signature": signature,
      },
      body: payload,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  function end(p, { status, output = null, error = null, metrics }) {
    if (!TERMINAL.has(status)) throw new Error(`not a terminal status: ${status}`);
    if (TERMINAL.has(p.status)) throw new Error(`prediction ${p.id} has already ended (${p.status})`);
    Object.assign(p, { status, output, error, completed_at: new Date().toISOString() }, metrics ? { metrics } : {});
    p.started_at ??= p.completed_at;
  }

  function predictionRoute(req) {
    if (req.headers.authorization !== `Bearer ${token}`) return json(401, { detail: "Invalid token." });
    const [, id, action] = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(req.path) ?? [];
    const p = predictions.get(id);
    if (!p) return json(404, { detail: "Not found." });
    if (req.method === "GET" && !action) return json(200, view(p));
    if (req.method === "POST" && action) {
      if (!TERMINAL.has(p.status)) {
        end(p, { status: "canceled" });
        if (p.webhook) deliver(p.id).catch(() => {});
      }
      return json(200, view(p));
    }
    return json(405, { detail: "Method not allowed." });
  }

  const server = await startLoopbackServer({
    "POST /v1/predictions": (req) => create(req, undefined, undefined),
    "*": (req) => {
      const file = /^\/files\/(.+)$/.exec(req.path);
      if (file && files.has(file[1])) {
        const { bytes, type } = files.get(file[1]);
        return { status: 200, headers: { "content-type": type }, body: bytes };
      }
      const model = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(req.path);
      if (model && req.method === "POST") return create(req, `${model[1]}/${model[2]}`, undefined);
      if (req.path.startsWith("/v1/predictions/")) return predictionRoute(req);
      return json(404, { detail: "Not found." });
    },
  });
  base = `${server.url}/v1`;

  return {
    url: base,
    requests: server.requests,
    predictions,
    last: () => [...predictions.values()].at(-1),
    failNext(answer) {
      failures.push(answer);
    },
    /** Ends a prediction; resolves to its webhook's answer (null when none is sent). */
    async finish(id, outcome, { deliver: send = true } = {}) {
      const p = predictions.get(id);
      end(p, outcome);
      return send && p.webhook ? deliver(id) : null;
    },
    deliver,
    serveFile(name, bytes, type) {
      files.set(name, { bytes, type });
      return `${server.url}/files/${name}`;
    },
    close: () => server.close(),
  };
}
