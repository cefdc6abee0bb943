// The `sql` effect: one statement through postgres.js (porsager) over Hyperdrive, or over
// DATABASE_URL where there is no binding. One client per task (Workers forbid sharing I/O
// objects across requests), created on the first statement, ended when the task ends.

import postgres from "postgres";

/** A statement still unanswered after this long is given up as `unavailable`: a connection cut
 *  mid-statement (Postgres stopped, a network fault) can leave postgres.js waiting forever on
 *  workerd's sockets, and a request must not hang with it. Far above any statement of ours. */
const STATEMENT_DEADLINE_MS = 30_000;

/** SQLSTATE classes that mean "no usable connection", reported as `unavailable`. */
const CONNECTION_SQLSTATES = /^(08|28|53300|57P0|3D000)/;

/** Postgres types whose JSON form the core expects as text. */
const rawText = (x) => x;
const isoTimestamp = (utc) => (x) => {
  const d = new Date(utc && !/[zZ]|[+-]\d\d(:?\d\d)?$/.test(x) ? `${x}Z` : x);
  return Number.isNaN(d.getTime()) ? x : d.toISOString(); // 'infinity' stays as it is
};

const TYPES = {
  // date: keep 'YYYY-MM-DD' rather than a midnight timestamp
  date_text: { to: 1082, from: [1082], serialize: rawText, parse: rawText },
  timestamp_utc: { to: 1114, from: [1114], serialize: rawText, parse: isoTimestamp(true) },
  timestamptz_iso: { to: 1184, from: [1184], serialize: rawText, parse: isoTimestamp(false) },
  // bytea as Postgres' own hex text ('\x...'), never a Buffer
  bytea_hex: { to: 17, from: [17], serialize: rawText, parse: rawText },
  // json/jsonb parameters arrive as JSON text (toParam): send them as they are. The driver's
  // own serializer would JSON.stringify the text again and store a JSON string.
  json_text: { to: 114, from: [114, 3802], serialize: rawText, parse: (x) => JSON.parse(x) },
};

export function connectionString(env) {
  return env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL ?? null;
}

const CLIENT_OPTIONS = {
  max: 1, // a task's statements pipeline on one connection rather than open more
  prepare: false, // Hyperdrive / Supavisor transaction mode; also PGlite
  fetch_types: false, // no extra round trip per client
  connect_timeout: 5,
  idle_timeout: 0,
  max_lifetime: null, // a task's client lives for one request: no lifetime timer per connection
  types: TYPES,
  transform: { undefined: null },
  onnotice: () => {},
  connection: { application_name: "alphogen-api" },
};

let parsed = null; // {url, options}: CLIENT_OPTIONS for the isolate's URL, as postgres.js parses them

/**
 * Options for a task's client. postgres.js parses its options for every client (reading a
 * dozen PG* variables) and builds a second client beside it for logical replication: more than
 * half of what making a client cost under load (BENCHMARKS.md). So the options are parsed once
 * per isolate, by a client that never connects, and each task gets a copy with fresh mutable
 * state: postgres.js takes an options object that has `shared` as already parsed, and
 * `no_subscribe` leaves out the replication client (nothing here subscribes).
 */
function clientOptions(url) {
  if (parsed?.url !== url) parsed = { url, options: postgres(url, CLIENT_OPTIONS).options };
  return { ...parsed.options, no_subscribe: true, parameters: {}, shared: { retries: 0, typeArrayMap: {} } };
}

/** The task's client, created lazily. Returns null when no database is configured. */
export function taskClient(scope) {
  if (scope.sql) return scope.sql;
  const url = connectionString(scope.env);
  if (!url) return null;
  scope.sql = postgres(clientOptions(url));
  return scope.sql;
}

/** Ends the task's client once every statement of the task (incl. background ones) is done. */
export function endTaskClient(scope, after) {
  const sql = scope.sql;
  if (!sql) return;
  scope.sql = null;
  scope.ctx.waitUntil(
    Promise.resolve(after)
      .catch(() => {})
      .then(() => sql.end({ timeout: 5 }))
      .catch(() => {}),
  );
}

function toParam(value) {
  if (value === undefined) return null;
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return value;
}

function toJsonValue(value) {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `\\x${[...value].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  return value;
}

function errorResult(err) {
  const message = String(err?.message ?? err);
  if (err?.name === "PostgresError" || (typeof err?.code === "string" && /^[0-9A-Z]{5}$/.test(err.code) && err.severity)) {
    if (CONNECTION_SQLSTATES.test(err.code)) {
      return { error: { code: "unavailable", message, sqlstate: err.code } };
    }
    const error = { code: err.code, message };
    for (const k of ["detail", "hint", "constraint_name", "table_name", "column_name"]) {
      if (err[k]) error[k] = err[k];
    }
    return { error };
  }
  // Socket errors, CONNECT_TIMEOUT, CONNECTION_CLOSED/ENDED/DESTROYED, ...
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
    const result = await Promise.race([sql.unsafe(effect.query, params), deadline]);
    const rows = result.map((row) => {
      const out = {};
      for (const [k, v] of Object.entries(row)) out[k] = toJsonValue(v);
      return out;
    });
    return { rows, count: result.count ?? rows.length };
  } catch (err) {
    if (err?.code === "STATEMENT_DEADLINE" && scope.sql === sql) {
      // The client may be wedged: later statements of the task get a fresh one.
      scope.sql = null;
      sql.end({ timeout: 0 }).catch(() => {});
    }
    return errorResult(err);
  } finally {
    clearTimeout(timer);
  }
}
