// The sql effect's clients (js-shim/effects/sql.js), in this process against the test server:
// each task gets its own client, statements with parameters cost one round trip each, and
// values reach the core in the JSON forms it reads.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { endTaskClient, performSql, taskClient } from "../../js-shim/effects/sql.js";
import { serverUrl } from "./harness/postgres.mjs";
import { startPgCounter } from "./harness/pg-counter.mjs";

let counter;

before(async () => {
  counter = await startPgCounter(await serverUrl());
});

after(async () => {
  await counter?.close();
});

function taskScope(url) {
  const pending = [];
  return { env: { DATABASE_URL: url }, sql: null, ctx: { waitUntil: (p) => pending.push(p) }, pending };
}

async function endTask(scope) {
  endTaskClient(scope, Promise.resolve());
  await Promise.all(scope.pending);
}

test("each task has its own client, reused for its statements", async () => {
  const first = taskScope(counter.url);
  const second = taskScope(counter.url);
  const a = taskClient(first);
  assert.notEqual(a, taskClient(second));
  assert.equal(taskClient(first), a, "a task reuses its client");
  assert.equal(a.client.connectionParameters.application_name, "alphogen-api");
  const [one, two] = await Promise.all([
    performSql({ query: "select $1::int + 1 as n", params: [41] }, first),
    performSql({ query: "select now()::date = current_date as today", params: [] }, second),
  ]);
  assert.deepEqual(one, { rows: [{ n: 42 }], count: 1 });
  assert.deepEqual(two, { rows: [{ today: true }], count: 1 });
  await Promise.all([endTask(first), endTask(second)]);
});

test("a statement with parameters is one round trip: Parse to Sync in one flight", async () => {
  const scope = taskScope(counter.url);
  await performSql({ query: "select 1 as warm", params: [] }, scope); // the connection's own exchange
  const mark = counter.mark();
  const answers = [];
  for (let i = 0; i < 3; i++) {
    answers.push(await performSql({ query: "select $1::text || $2::text as s", params: ["a", String(i)] }, scope));
  }
  const sent = counter.since(mark);
  assert.deepEqual(answers.map((a) => a.rows[0].s), ["a0", "a1", "a2"]);
  assert.equal(sent.statements.length, 3);
  assert.equal(sent.roundTrips, 3, `${sent.roundTrips} round trips for 3 statements`);
  await endTask(scope);
});

test("values arrive in the core's JSON forms; JSON parameters are stored as JSON, not as strings", async () => {
  const scope = taskScope(counter.url);
  const { rows, error } = await performSql(
    {
      query:
        "select $1::jsonb as j, ($1::jsonb ->> 'k') as k, 9007199254740993::int8 as big, 1.50::numeric as num, " +
        "'2026-12-06'::date as d, '2026-12-06 10:00:00'::timestamp as ts, " +
        "'2026-12-06 10:00:00+02'::timestamptz as tz, '\\x0aff'::bytea as b, interval '90 seconds' as i, " +
        "null::text as nothing, true as yes",
      params: [{ k: "v", list: [1, 2] }],
    },
    scope,
  );
  assert.equal(error, undefined, JSON.stringify(error));
  assert.deepEqual(rows, [
    {
      j: { k: "v", list: [1, 2] },
      k: "v",
      big: "9007199254740993",
      num: "1.50",
      d: "2026-12-06",
      ts: "2026-12-06T10:00:00.000Z",
      tz: "2026-12-06T08:00:00.000Z",
      b: "\\x0aff",
      i: "00:01:30",
      nothing: null,
      yes: true,
    },
  ]);
  await endTask(scope);
});

test("errors: a SQL error keeps its SQLSTATE and constraint; no database is `unavailable`", async () => {
  const scope = taskScope(counter.url);
  const failed = await performSql({ query: "select 1/$1::int as x", params: [0] }, scope);
  assert.equal(failed.error.code, "22012", JSON.stringify(failed));
  const unknown = await performSql(
    { query: "create temp table t (id int primary key); insert into t values (1), (1)", params: [] },
    scope,
  );
  assert.equal(unknown.error.code, "23505", JSON.stringify(unknown));
  assert.equal(unknown.error.constraint_name, "t_pkey");
  await endTask(scope);

  const nowhere = taskScope("postgres://postgres:postgres@127.0.0.1:1/postgres");
  const down = await performSql({ query: "select 1", params: [] }, nowhere);
  assert.equal(down.error.code, "unavailable", JSON.stringify(down));
  await endTask(nowhere);
  assert.deepEqual(await performSql({ query: "select 1", params: [] }, { env: {}, sql: null }), {
    error: { code: "unavailable", message: "no database configured (HYPERDRIVE binding or DATABASE_URL)" },
  });
});
