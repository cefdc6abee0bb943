// The `sql` effect: one statement through node-postgres (`pg`) over Hyperdrive, or over
// DATABASE_URL where there is no binding. One client per task (Workers forbid sharing I/O
// objects across requests), created on the first statement, ended when the task ends.
//
// Why `pg`: it sends a statement with parameters as Parse, Bind, Describe, Execute and Sync in
// one flight, so every statement costs one round trip to the database. postgres.js with
// `prepare: false` (which Hyperdrive's transaction pooling needs) first asks the server to
// describe the statement's parameter types, and only then executes: two round trips each
// (BENCHMARKS.md). Parameters go as text, typed by the casts every statement of ours carries.
// Cloudflare documents `pg` ≥ 8.16.3 with Hyperdrive and `nodejs_compat`.

import pg from "pg";
import { parse as parseConnectionString } from "pg-connection-string";
import { corkableStream } from "./pg-socket.js";

/** A statement still unanswered after this long is given up as `unavailable`: a connection cut
 *  mid-statement (Postgres stopped, a network fault) must not hang the request with it. Far
 *  above any statement of ours. */
const STATEMENT_DEADLINE_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

/** Postgres types whose JSON form the core expects as text. */
const rawText = (x) => x;
const isoTimestamp = (utc) => (x) => {
  const d = new Date(utc && !/[zZ]|[+-]\d\d(:?\d\d)?$/.test(x) ? `${x}Z` : x);
  return Number.isNaN(d.getTime()) ? x : d.toISOString(); // 'infinity' stays as it is
};

const PARSERS = new Map([
  [1082, rawText], // date: 'YYYY-MM-DD', not a midnight timestamp
  [1114, isoTimestamp(true)], // timestamp: taken as UTC
  [1184, isoTimestamp(false)], // timestamptz
  [17, rawText], // bytea as Postgres' own hex text ('\x...'), never a Buffer
  [20, rawText], // int8 as decimal text: it may exceed what a JavaScript number holds exactly
  [1700, rawText], // numeric, likewise
  [1186, rawText], // interval: Postgres' text, not an object
  [114, JSON.parse], // json
  [3802, JSON.parse], // jsonb
]);
const TYPES = { getTypeParser: (oid, format) => PARSERS.get(oid) ?? pg.types.getTypeParser(oid, format) };

export function connectionString(env) {
  return env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL ?? null;
}

/** The connection string's fields, parsed once per isolate (`pg` would parse it for every
 *  client, and a client is made per task). */
let parsed = { url: null, fields: null };
function connectionFields(url) {
  if (parsed.url !== url) parsed = { url, fields: parseConnectionString(url) };
  return parsed.fields;
}

/** The task's client, created (and its connection started) lazily. Null without a database. */
export function taskClient(scope) {
  if (scope.sql) return scope.sql;
  const url = connectionString(scope.env);
  if (!url) return null;
  const client = new pg.Client({
    ...connectionFields(url),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: "alphogen-api",
    types: TYPES,
    stream: corkableStream,
  });
  // Statements queue on the client until the connection is up; a failed connection fails them.
  const connected = client.connect().catch((err) => err);
  client.on("error", () => {}); // a connection lost between statements fails the next one
  scope.sql = { client, connected };
  return scope.sql;
}

/** How long a task's end waits for the server's last answer before closing regardless. */
const SETTLE_MS = 2_000;

/**
 * Resolves once the client has read everything the server sent. A failed statement is
 * reported at its ErrorResponse, before the ReadyForQuery that ends it: closing then leaves
 * that message unread, and a socket closed with unread data is reset instead of closed (a
 * pooler in front counts it as a broken connection). `readyForQuery` is pg's own idle flag.
 */
function settled(client) {
  if (client.readyForQuery) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, SETTLE_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once("drain", done);
    client.once("end", done);
  });
}

/** Ends the task's client once every statement of the task (incl. background ones) is done,
 *  with a Terminate the server answers by closing: never mid-handshake nor mid-answer. */
export function endTaskClient(scope, after) {
  const sql = scope.sql;
  if (!sql) return;
  scope.sql = null;
  scope.ctx.waitUntil(
    Promise.all([after, sql.connected])
      .then(([, failed]) => (failed instanceof Error ? undefined : settled(sql.client)))
      .catch(() => {})
      .then(() => sql.client.end())
      .catch(() => {}),
  );
}

/** JSON values as Postgres text: objects and arrays as JSON (the statements cast them). */
function toParam(value) {
  if (value === undefined) return null;
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return value;
}

function errorResult(err) {
  const message = String(err?.message ?? err);
  if (err instanceof pg.DatabaseError || (typeof err?.code === "string" && /^[0-9A-Z]{5}$/.test(err.code) && err.severity)) {
    const error = { code: err.code, message };
    for (const [theirs, ours] of [["detail", "detail"], ["hint", "hint"], ["constraint", "constraint_name"],
                                  ["table", "table_name"], ["column", "column_name"]]) {
      if (err[theirs]) error[ours] = err[theirs];
    }
    return { error };
  }
  // Socket errors, connection timeouts, "Connection terminated", ...
  return { error: { code: "unavailable", message: err?.code ? `${err.code}: ${message}` : message } };
}

export async function performSql(effect, scope) {
  const sql = taskClient(scope);
  if (!sql) {
    return { error: { code: "unavailable", message: "no database configured (HYPERDRIVE binding or DATABASE_URL)" } };
  }
  if (typeof effect.query !== "string" || effect.query.length === 0) {
    return { error: { code: "invalid_effect", message: "sql effect without query" } };
  }
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("no answer from the database"), { code: "STATEMENT_DEADLINE" })),
                       STATEMENT_DEADLINE_MS);
  });
  try {
    const params = Array.isArray(effect.params) ? effect.params.map(toParam) : [];
    const statement = sql.client.query(effect.query, params);
    statement.catch(() => {}); // answered through the race below, whichever settles first
    const result = await Promise.race([
      sql.connected.then((failed) => (failed instanceof Error ? Promise.reject(failed) : statement)),
      deadline,
    ]);
    return { rows: result.rows, count: result.rowCount ?? result.rows.length };
  } catch (err) {
    if (err?.code === "STATEMENT_DEADLINE" && scope.sql === sql) {
      // The client may be wedged: later statements of the task get a fresh one.
      scope.sql = null;
      sql.client.end().catch(() => {});
    }
    return errorResult(err);
  } finally {
    clearTimeout(timer);
  }
}
