-- Credits: one balance row per user, derived from the append-only ledger. Rules made
-- structural, whatever code runs against the database (the triggers that enforce them and the
-- functions that move money: migrations/functions/credits.sql):
--   * credit_ledger is append-only (UPDATE, DELETE, TRUNCATE raise, even for the owner).
--   * credit_balances moves only through credit_ledger: a ledger INSERT updates the balance in
--     the same statement, and direct writes to a balance raise. So for every user
--     balance = sum(delta), and the CHECK (balance >= 0) rejects any entry that would overdraw.

create table if not exists public.credit_balances (
  user_id uuid primary key,
  balance bigint not null default 0 check (balance >= 0),
  updated_at timestamptz not null default now()
);

create table if not exists public.credit_ledger (
  id bigserial primary key,
  user_id uuid not null,
  delta bigint not null,
  kind text not null
    check (kind in ('purchase', 'grant', 'reserve', 'refund', 'adjustment', 'clawback')),
  idempotency_key text not null check (length(idempotency_key) between 1 and 512),
  job_id uuid,                                 -- no FK: the ledger outlives pruned jobs
  reason text,
  metadata jsonb,
  created_at timestamptz not null default now(),
  constraint credit_ledger_idempotency_key_key unique (idempotency_key),
  -- Signs by kind. A clawback may be 0: a refunded purchase whose credits were all spent
  -- still records (once, under its key) that nothing could be taken back.
  constraint credit_ledger_delta_sign_check check (
    case kind
      when 'purchase' then delta > 0
      when 'grant' then delta > 0
      when 'refund' then delta > 0
      when 'reserve' then delta < 0
      when 'clawback' then delta <= 0
      else delta <> 0
    end)
);

create index if not exists credit_ledger_user_list_idx
  on public.credit_ledger (user_id, created_at desc, id desc);
create index if not exists credit_ledger_job_idx on public.credit_ledger (job_id)
  where job_id is not null;

-- Read-only to Supabase clients, who read their own rows.
grant select on public.credit_balances, public.credit_ledger to alphogen_api;
revoke insert, update, delete, truncate on public.credit_balances, public.credit_ledger from anon, authenticated;
revoke all on sequence public.credit_ledger_id_seq from anon, authenticated;

select public._enable_rls('{public.credit_balances, public.credit_ledger}', 'owner_read', 'service_role', 'api_read');
