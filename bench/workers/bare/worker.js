// The runtime's floor: the smallest Worker that answers our /health JSON, and streams an upload
// into R2 (the reference for the upload memory figure).
const VERSION = "bench-bare";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") {
      return Response.json({ ok: true, ts: Date.now(), version: VERSION });
    }
    if (request.method === "PUT" && url.pathname.startsWith("/assets/")) {
      const object = await env.ASSETS.put(url.pathname.slice("/assets/".length), request.body);
      return Response.json({ ok: true, size: object.size });
    }
    return Response.json({ ok: false, error: "not_found" }, { status: 404 });
  },
};
