// The shim's header conversions (js-shim/headers.js), which every request goes through.
import assert from "node:assert/strict";
import { test } from "node:test";
import { requestHeaderList, responseHeaders } from "../../js-shim/headers.js";

test("the core's headers become a record a Response takes as they are", () => {
  const init = responseHeaders([["Content-Type", "application/json"], ["x-request-id", "abc"], ["bad"], "junk", ["n", 7]]);
  assert.deepEqual({ ...init }, { "content-type": "application/json", "x-request-id": "abc", n: "7" });
  assert.equal(new Response("{}", { headers: init }).headers.get("content-type"), "application/json");
  assert.deepEqual({ ...responseHeaders(undefined) }, {});
  assert.equal(new Response(null, { headers: responseHeaders([["__proto__", "kept"]]) }).headers.get("__proto__"), "kept");
});

test("a repeated header name keeps every value (a Headers, not a record)", () => {
  const init = responseHeaders([["vary", "origin"], ["Vary", "accept-encoding"], ["constructor", "x"]]);
  assert.ok(init instanceof Headers);
  assert.equal(init.get("vary"), "origin, accept-encoding");
  assert.equal(init.get("constructor"), "x");
});

test("a request's headers become [[name, value], ...] in the runtime's order", () => {
  const headers = new Headers({ "X-B": "2", authorization: "Bearer t", "x-a": "1" });
  assert.deepEqual(requestHeaderList(headers), [...headers]);
  assert.deepEqual(requestHeaderList(new Headers()), []);
});
