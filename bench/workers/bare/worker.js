// The runtime's floor: the smallest Worker that answers our /health JSON, and streams an upload
// into R2 (the reference for the upload memory figure).
//
// With OURS_HEADERS set (the bench's "bare-headers" target) /health also sends the headers ours
// sends on every answer (App::finish in src/api/app.cpp) and a fresh request id: the floor for
// the same response, not only the same JSON. bench.test.mjs checks the header names match.
const VERSION = "bench-bare";
const OURS_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "cache-control": "no-store",
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") {
      const body = { ok: true, ts: Date.now(), version: VERSION };
      if (!env.OURS_HEADERS) return Response.json(body);
      const requestId = crypto.randomUUID().replaceAll("-", "");
      return new Response(JSON.stringify(body), { headers: { ...OURS_HEADERS, "x-request-id": requestId } });
    }
    if (request.method === "PUT" && url.pathname.startsWith("/assets/")) {
      const object = await env.ASSETS.put(url.pathname.slice("/assets/".length), request.body);
      return Response.json({ ok: true, size: object.size });
    }
    return Response.json({ ok: false, error: "not_found" }, { status: 404 });
  },
};
