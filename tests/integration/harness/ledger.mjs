// The money and job functions of migrations/functions/ (credits.sql, jobs.sql), as the Worker
// calls them: one statement each, parameters $1..$n with explicit casts (the shim sends untyped
// text). Tests use these exact strings, so they double as the reference for src/db/.
//
//   const [row] = await sql.unsafe(LEDGER_SQL.createJob, [user, null, JSON.stringify(p), ...]);
//   await assertLedgerInvariant(sql);   // balance = sum(ledger) for every user, none negative,
//                                       // per job one reservation, at most one refund of it and
//                                       // one settlement, never more than it back

import assert from "node:assert/strict";

export const LEDGER_SQL = {
  // → outcome, job_id, status, cost_credits, balance, required, retry_after_s, response_status, response_body
  createJob:
    "select * from public.create_job($1::uuid, $2::text, $3::jsonb, $4::integer, $5::integer, " +
    "$6::text, $7::text, $8::text, $9::integer, $10::text, p_cost => $11::integer, p_model_revision => $12::bigint)",
  // → applied, status, refunded
  transitionJob:
    "select applied, status, refunded, charged_credits from public.transition_job($1::uuid, $2::text, $3::jsonb, " +
    "$4::jsonb, $5::integer, $6::jsonb)",
  // → updated, status
  updateJobFields: "select updated, status from public.update_job_fields($1::uuid, $2::jsonb)",
  // → refunded
  refundJob: "select public.refund_job($1::uuid, $2::text) as refunded",
  // → applied, balance
  grantCredits:
    "select applied, balance from public.grant_credits($1::uuid, $2::bigint, $3::text, $4::text, $5::text, $6::jsonb)",
  // → applied, balance (AG402 when a negative delta would overdraw)
  adjustCredits: "select applied, balance from public.adjust_credits($1::uuid, $2::bigint, $3::text, $4::text)",
  // → applied, clawed, balance
  clawbackCredits:
    "select applied, clawed, balance from public.clawback_credits($1::uuid, $2::bigint, $3::text, $4::text, $5::jsonb)",
  // → balance
  userCredits: "select public.user_credits($1::uuid, $2::integer) as balance",
  // → deleted
  pruneIdempotencyKeys: "select public.prune_idempotency_keys($1::interval) as deleted",
};

/** Users whose balance differs from the sum of their ledger entries (none, normally). */
export async function ledgerMismatches(sql) {
  return sql.unsafe(
    `select coalesce(b.user_id, l.user_id) as user_id, b.balance, l.total
       from public.credit_balances b
       full join (select user_id, sum(delta) as total from public.credit_ledger group by user_id) l
         on l.user_id = b.user_id
      where coalesce(b.balance, 0) <> coalesce(l.total, 0)`,
  );
}

/** Negative balances, and jobs whose money moved otherwise than one reservation, at most one
 *  refund (refund:<job>) and at most one settlement (settle:<job>), together never more than
 *  the reservation and, with the refund, exactly it (none, normally). */
export async function jobMoneyAnomalies(sql) {
  return sql.unsafe(
    `select 'negative balance' as problem, user_id::text as subject from public.credit_balances where balance < 0
     union all
     select 'job money: ' || count(*) filter (where kind = 'reserve') || ' reservation(s), '
              || count(*) filter (where idempotency_key like 'refund:%') || ' refund(s), '
              || count(*) filter (where idempotency_key like 'settle:%') || ' settlement(s), net ' || sum(delta),
            job_id::text
       from public.credit_ledger where job_id is not null group by job_id
     having count(*) filter (where kind = 'reserve') <> 1
         or count(*) filter (where idempotency_key like 'refund:%') > 1
         or count(*) filter (where idempotency_key like 'settle:%') > 1
         or count(*) filter (where kind not in ('reserve', 'refund')) > 0
         or sum(delta) > 0
         or (count(*) filter (where idempotency_key like 'refund:%') = 1 and sum(delta) <> 0)`,
  );
}

/** Fails when any user's balance is not the sum of their ledger entries, a balance is
 *  negative, or a job's money moved otherwise than jobMoneyAnomalies allows. */
export async function assertLedgerInvariant(sql) {
  const rows = await ledgerMismatches(sql);
  assert.deepEqual(
    rows.map((r) => ({ ...r })),
    [],
    `balance ≠ sum(ledger) for: ${JSON.stringify(rows)}`,
  );
  const anomalies = await jobMoneyAnomalies(sql);
  assert.deepEqual(anomalies.map((r) => ({ ...r })), [], `ledger anomalies: ${JSON.stringify(anomalies)}`);
}
