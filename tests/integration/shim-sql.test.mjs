// The sql effect's clients (js-shim/effects/sql.js), in this process against the test server:
// each task gets its own client from options parsed once, without postgres.js' replication
// client, and statements still run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { endTaskClient, performSql, taskClient } from "../../js-shim/effects/sql.js";
import { serverUrl } from "./harness/postgres.mjs";

function taskScope(url) {
  const pending = [];
  return { env: { DATABASE_URL: url }, sql: null, ctx: { waitUntil: (p) => pending.push(p) }, pending };
}

test("each task has its own client, from options parsed once, and no replication client", async () => {
  const url = await serverUrl();
  const first = taskScope(url);
  const second = taskScope(url);
  const a = taskClient(first);
  const b = taskClient(second);
  assert.notEqual(a, b);
  assert.equal(taskClient(first), a, "a task reuses its client");
  assert.equal(a.options.max, 1);
  assert.equal(a.options.max_lifetime, null);
  assert.equal(a.options.connection.application_name, "alphogen-api");
  assert.equal(a.options.parsers, b.options.parsers, "parsed once");
  assert.notEqual(a.options.shared, b.options.shared, "retry state is per client");
  assert.notEqual(a.options.parameters, b.options.parameters, "server parameters are per client");
  assert.equal(a.subscribe, true, "no logical-replication client beside the task's");

  const [one, two] = await Promise.all([
    performSql({ query: "select $1::int + 1 as n, '{\"k\": [1]}'::jsonb as j", params: [41] }, first),
    performSql({ query: "select now()::date = current_date as today", params: [] }, second),
  ]);
  assert.deepEqual(one, { rows: [{ n: 42, j: { k: [1] } }], count: 1 });
  assert.deepEqual(two, { rows: [{ today: true }], count: 1 });
  for (const scope of [first, second]) {
    endTaskClient(scope, Promise.resolve());
    await Promise.all(scope.pending);
  }
});
