// Stand-ins for third-party APIs (Supabase Auth, RunPod, Stripe...): an HTTP server on an
// ephemeral 127.0.0.1 port that answers from a route table and records every request.
//
//   const api = await startLoopbackServer({
//     "GET /auth/v1/user": (req, body) => ({ status: 200, body: { id: "u1" } }),
//     "/health": { status: 204 },            // any method; a static answer
//   });
//   api.url            // "http://127.0.0.1:PORT"
//   api.requests       // [{method, path, query, headers, body: Buffer, text, json()}]
//   await api.close();
//
// A handler gets the recorded request and its body (Buffer) and returns {status, headers,
// body} (may be async); body: string, Buffer/Uint8Array, or anything else (sent as JSON).
// A "*" route takes what no other matches (a stand-in that routes by pattern); without one,
// unmatched requests get 404 {"error":"no_route"}. `api.route(key, handler)` adds routes later.

import http from "node:http";

function send(res, answer) {
  // A client that gave up (a stand-in's delayed fault outlived its timeout) gets nothing.
  if (res.destroyed) return;
  const { status = 200, headers = {}, body } = answer ?? {};
  const h = { ...headers };
  let payload = null;
  if (body === undefined || body === null) payload = null;
  else if (typeof body === "string" || body instanceof Uint8Array) payload = body;
  else {
    payload = JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === "content-type")) h["content-type"] = "application/json";
  }
  res.writeHead(status, h);
  res.end(payload ?? undefined);
}

export async function startLoopbackServer(routes = {}) {
  const table = new Map(Object.entries(routes));
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url, "http://127.0.0.1");
      const body = Buffer.concat(chunks);
      const record = {
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        url: req.url,
        headers: req.headers,
        body,
        text: body.toString("utf8"),
        json() {
          return JSON.parse(this.text);
        },
      };
      requests.push(record);
      const handler = table.get(`${req.method} ${url.pathname}`) ?? table.get(url.pathname) ?? table.get("*");
      try {
        if (handler === undefined) send(res, { status: 404, body: { error: "no_route", path: url.pathname } });
        else send(res, typeof handler === "function" ? await handler(record, body) : handler);
      } catch (err) {
        send(res, { status: 500, body: { error: "stand_in_failed", message: String(err?.message ?? err) } });
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    route(key, handler) {
      table.set(key, handler);
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A 127.0.0.1 port with nothing listening on it (for "unreachable" tests). */
export async function closedPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
