// GET /openapi.json as the Worker serves it: a valid OpenAPI 3.1 document (two real
// validators: @apidevtools/swagger-parser for the 3.1 schema and every $ref, Redocly's
// `recommended` lint rules for what a schema cannot say), and every documented operation is
// one the router routes. The unit test api_platform_test.cpp checks the other direction (every
// route is documented).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import { BaseResolver, createConfig, lintDocument, makeDocumentFromString } from "@redocly/openapi-core";
import { startWorker } from "./harness/worker.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const METHODS = ["get", "put", "post", "delete", "head", "patch", "options"];

let worker;
let served;

before(async () => {
  worker = await startWorker({ vars: {} });
  const res = await worker.fetch("/openapi.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /^application\/json/);
  served = await res.text();
});

after(() => worker?.stop());

test("the served document is src/api/openapi.json, OpenAPI 3.1", () => {
  const doc = JSON.parse(served);
  assert.deepEqual(doc, JSON.parse(fs.readFileSync(path.join(ROOT, "src/api/openapi.json"), "utf8")));
  assert.match(doc.openapi, /^3\.1\.\d+$/);
});

test("swagger-parser: valid against the OpenAPI 3.1 schema, every $ref resolves", async () => {
  const api = await SwaggerParser.validate(JSON.parse(served));
  assert.ok(Object.keys(api.paths).length > 0);
});

test("swagger-parser rejects a broken document (the check above can fail)", async () => {
  const doc = JSON.parse(served);
  doc.paths["/health"].get.responses["200"] = { $ref: "#/components/responses/NoSuchResponse" };
  await assert.rejects(SwaggerParser.validate(doc), /NoSuchResponse/);
  const untyped = JSON.parse(served);
  delete untyped.info.title;
  await assert.rejects(SwaggerParser.validate(untyped), /must have required property 'title'/);
});

// Redocly's recommended rules, less two that do not fit this API: it is private (no licence
// to state), and GET /openapi.json and GET /models have no 4XX answer of their own.
async function redoclyProblems(text) {
  const config = await createConfig({
    extends: ["recommended"],
    rules: { "info-license": "off", "operation-4xx-response": "off" },
  });
  const problems = await lintDocument({
    document: makeDocumentFromString(text, "/openapi.json"),
    config,
    externalRefResolver: new BaseResolver(),
  });
  return problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
}

test("Redocly lint (recommended rules): no problem", async () => {
  assert.deepEqual(await redoclyProblems(served), []);
});

test("Redocly lint reports an operation without security and a path parameter not declared", async () => {
  const doc = JSON.parse(served);
  delete doc.paths["/models"].get.security;
  doc.paths["/jobs/{id}/cancel"].post.parameters = [];
  delete doc.paths["/jobs/{id}/cancel"].parameters;
  const problems = (await redoclyProblems(JSON.stringify(doc))).join("\n");
  assert.match(problems, /security-defined: .* at #\/paths\/~1models\/get/);
  assert.match(problems, /path-parameters-defined: .*id/);
});

// The route a response's request reached: the `route` of the Worker's JSON request log line
// with its x-request-id ("-" when the router matched nothing).
async function routeOf(res) {
  await res.arrayBuffer();
  const requestId = res.headers.get("x-request-id");
  const logged = () => worker.logs.find((l) => l.message.includes(requestId) && /route/.test(l.message));
  // the line is written as the response leaves: give the log pipe a moment to deliver it
  for (let i = 0; i < 50 && !logged(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(logged(), `no request log line for ${requestId}`);
  return /route"?:\s*["']([^"']+)["']/.exec(logged().message)?.[1];
}
const asDocumented = (pattern) => pattern.replace(/[:*](\w+)/g, "{$1}");
const SAMPLE = { key: "openapi-probe/file.txt", id: "00000000-0000-4000-8000-000000000000" };
const sampleValue = (name) => SAMPLE[name] ?? SAMPLE.id;

test("every documented operation is routed by the router to the documented path", async () => {
  const doc = JSON.parse(served);
  const missing = [];
  let checked = 0;
  for (const [template, item] of Object.entries(doc.paths)) {
    const url = template.replace(/\{(\w+)\}/g, (_, name) => sampleValue(name));
    for (const method of METHODS.filter((m) => item[m])) {
      // unauthenticated and bodiless: whatever the handler answers, the router decided first
      const res = await worker.fetch(url, { method: method.toUpperCase() });
      const route = await routeOf(res);
      checked++;
      if (res.status === 405 || route === undefined || asDocumented(route) !== template) {
        missing.push(`${method.toUpperCase()} ${template} → ${res.status}, route ${route}`);
      }
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(checked >= 19, `only ${checked} operations checked`);
});

test("the route check can fail: an undocumented path reaches no route", async () => {
  const res = await worker.fetch("/billing/not-a-route", { method: "POST" });
  assert.equal(res.status, 404);
  assert.equal(await routeOf(res), "-");
});

/** Descriptions (JSON pointer → text) where CommonMark would read a `<placeholder>` as an HTML
 *  tag, which /docs (Redoc) and other renderers then drop: outside a code span. */
function rawTagsInDescriptions(node, at = "") {
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === "description" && typeof value === "string"
      ? /<[A-Za-z]/.test(value.replace(/`[^`]*`/g, "")) ? [`${at}/description: ${value}`] : []
      : rawTagsInDescriptions(value, `${at}/${key}`),
  );
}

test("descriptions render as written: every <placeholder> is in a code span", () => {
  assert.deepEqual(rawTagsInDescriptions(JSON.parse(served)), []);
  assert.equal(rawTagsInDescriptions({ description: "keys under users/<their id>/" }).length, 1);
  assert.equal(rawTagsInDescriptions({ description: "keys under `users/<their id>/`" }).length, 0);
});
