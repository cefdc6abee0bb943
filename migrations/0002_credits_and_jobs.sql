-- Credits and the job lifecycle: tables only (functions in 0003/0004, privileges and RLS in
-- 0005). Plain SQL for Supabase and for PostgreSQL 15 after migrations/local; idempotent.
--
-- Rules this file makes structural, whatever code runs against the database:
--   * credit_ledger is append-only (UPDATE, DELETE, TRUNCATE raise, even for the owner).
--   * credit_balances moves only through credit_ledger: a ledger INSERT updates the balance in
--     the same statement (trigger), and direct writes to a balance raise. So for every user
--     balance = sum(delta), and the CHECK (balance >= 0) rejects any entry that would overdraw.
--   * jobs.status is one of job_statuses, and the only moves are the rows of job_transitions
--     (enforced by transition_job(), the only writer of jobs.status).

-- ---------------------------------------------------------------------------------------------
-- Models: what a job can name, with its price. At most one default.

create table if not exists public.models (
  id text primary key check (length(id) between 1 and 128),
  provider text not null default 'runpod',
  content_type text not null check (content_type in ('video', 'image')),
  cost_credits integer not null check (cost_credits >= 0),
  is_default boolean not null default false,
  enabled boolean not null default true,
  endpoint_id text,                            -- null: the RUNPOD_ENDPOINT_ID configuration
  created_at timestamptz not null default now()
);

create unique index if not exists models_one_default_idx on public.models ((true)) where is_default;

insert into public.models (id, provider, content_type, cost_credits, is_default, enabled, endpoint_id)
values
  ('runpod-video', 'runpod', 'video', 1, true, true, null),
  ('runpod-image', 'runpod', 'image', 1, false, true, null)
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------
-- The job lifecycle, as data. Everything that decides a job's state lives in these two tables:
--
--   queued    → submitted | error | cancelled | noop
--   submitted → running | completed | failed | cancelled | timed_out
--   running   → completed | failed | cancelled | timed_out
--
-- terminal: no way out. refund: entering it gives the reservation back (exactly once).
-- Same-state updates are not transitions (see update_job_fields()).

create table if not exists public.job_statuses (
  status text primary key,
  terminal boolean not null,
  refund boolean not null default false,
  check (terminal or not refund)
);

insert into public.job_statuses (status, terminal, refund) values
  ('queued',    false, false),
  ('submitted', false, false),
  ('running',   false, false),
  ('completed', true,  false),
  ('failed',    true,  true),
  ('cancelled', true,  true),
  ('timed_out', true,  true),
  ('error',     true,  true),   -- never reached the provider
  ('noop',      true,  true)    -- no provider configured: nothing is generated, nothing is owed
on conflict do nothing;

create table if not exists public.job_transitions (
  from_status text not null references public.job_statuses (status),
  to_status text not null references public.job_statuses (status),
  primary key (from_status, to_status),
  check (from_status <> to_status)
);

insert into public.job_transitions (from_status, to_status) values
  ('queued', 'submitted'), ('queued', 'error'), ('queued', 'cancelled'), ('queued', 'noop'),
  ('submitted', 'running'), ('submitted', 'completed'), ('submitted', 'failed'),
  ('submitted', 'cancelled'), ('submitted', 'timed_out'),
  ('running', 'completed'), ('running', 'failed'), ('running', 'cancelled'), ('running', 'timed_out')
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------
-- Jobs: the table of 0001, extended.

alter table public.jobs add column if not exists model text;
alter table public.jobs add column if not exists cost_credits integer not null default 0;
alter table public.jobs add column if not exists provider text;
alter table public.jobs add column if not exists provider_job_id text;
alter table public.jobs add column if not exists webhook_token_hash text;
alter table public.jobs add column if not exists error jsonb;
alter table public.jobs add column if not exists outputs jsonb;
alter table public.jobs add column if not exists deadline_at timestamptz;
alter table public.jobs add column if not exists updated_at timestamptz default now();
alter table public.jobs add column if not exists finished_at timestamptz;

-- status ∈ job_statuses. NOT VALID: rows written by the original Worker are not checked, every
-- new or updated row is.
do $$
begin
  if not exists (select 1 from pg_constraint
                 where conrelid = 'public.jobs'::regclass and conname = 'jobs_status_fkey') then
    alter table public.jobs add constraint jobs_status_fkey
      foreign key (status) references public.job_statuses (status) not valid;
  end if;
  if not exists (select 1 from pg_constraint
                 where conrelid = 'public.jobs'::regclass and conname = 'jobs_cost_credits_check') then
    alter table public.jobs add constraint jobs_cost_credits_check check (cost_credits >= 0) not valid;
  end if;
end
$$;

-- The cron sweep: open jobs, stalest first; and open jobs past their deadline.
create index if not exists jobs_open_updated_idx on public.jobs (updated_at)
  where status in ('queued', 'submitted', 'running');
create index if not exists jobs_open_deadline_idx on public.jobs (deadline_at)
  where status in ('queued', 'submitted', 'running');
-- Listing, newest first with a (created_at, id) cursor: a user's jobs, and all jobs (admin).
create index if not exists jobs_user_list_idx on public.jobs (user_id, created_at desc, id desc);
create index if not exists jobs_list_idx on public.jobs (created_at desc, id desc);
-- jobs_user_created_idx (0001) is a prefix of jobs_user_list_idx: redundant now.
drop index if exists public.jobs_user_created_idx;

-- Every transition, appended (the first event is the creation: from_status null → queued).
create table if not exists public.job_events (
  id bigserial primary key,
  job_id uuid not null references public.jobs (id) on delete cascade,
  from_status text,
  to_status text not null,
  detail jsonb,
  created_at timestamptz not null default now()
);

create index if not exists job_events_job_idx on public.job_events (job_id, id);

-- ---------------------------------------------------------------------------------------------
-- Idempotency-Key of POST /jobs: the first response, replayed for 24 h. scope: the user id, or
-- 'admin'. Written only by create_job() (state running) and transition_job() (state done).

create table if not exists public.idempotency_keys (
  scope text not null,
  key text not null check (length(key) between 1 and 255),
  request_hash text not null,
  state text not null default 'running' check (state in ('running', 'done')),
  job_id uuid,
  response_status integer,
  response_body jsonb,
  created_at timestamptz not null default now(),
  primary key (scope, key),
  check (state = 'running' or response_status is not null)
);

create index if not exists idempotency_keys_job_idx on public.idempotency_keys (job_id)
  where job_id is not null;
create index if not exists idempotency_keys_created_idx on public.idempotency_keys (created_at);

-- ---------------------------------------------------------------------------------------------
-- Credits: one balance row per user, derived from the append-only ledger.

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

-- The ledger is append-only, for everyone (the functions never update or delete it either).
create or replace function public.credit_ledger_append_only() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
begin
  raise exception using
    errcode = 'AG403',
    message = format('append_only: %s does not allow %s', tg_table_name, tg_op),
    hint = 'Record a correcting entry (adjust_credits) instead.';
end
$$;

drop trigger if exists credit_ledger_no_update on public.credit_ledger;
create trigger credit_ledger_no_update
  before update or delete on public.credit_ledger
  for each row execute function public.credit_ledger_append_only();

drop trigger if exists credit_ledger_no_truncate on public.credit_ledger;
create trigger credit_ledger_no_truncate
  before truncate on public.credit_ledger
  for each statement execute function public.credit_ledger_append_only();

-- A ledger entry moves the balance in the same statement. AFTER INSERT: an INSERT ... ON
-- CONFLICT DO NOTHING that inserts nothing moves nothing (a BEFORE trigger would fire anyway).
-- NOTE: update, then insert: an upsert would check the CHECK on the proposed row (the bare
-- delta, negative for a reserve) before noticing the conflict.
create or replace function public.credit_ledger_apply() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
begin
  update public.credit_balances b
  set balance = b.balance + new.delta, updated_at = now()
  where b.user_id = new.user_id;
  if not found then
    insert into public.credit_balances (user_id, balance, updated_at)
    values (new.user_id, new.delta, now());
  end if;
  return null;
end
$$;

drop trigger if exists credit_ledger_apply on public.credit_ledger;
create trigger credit_ledger_apply
  after insert on public.credit_ledger
  for each row execute function public.credit_ledger_apply();

-- Balances change only from credit_ledger_apply() (trigger depth ≥ 2 here). A direct INSERT may
-- only create an empty row (what the functions do to have a row to lock); UPDATE and DELETE
-- from anywhere else raise.
create or replace function public.credit_balances_guard() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
begin
  if pg_trigger_depth() >= 2 then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op = 'INSERT' and new.balance = 0 then
    return new;
  end if;
  raise exception using
    errcode = 'AG403',
    message = format('append_only: credit_balances changes only through credit_ledger (%s refused)', tg_op),
    hint = 'Use grant_credits / adjust_credits / clawback_credits.';
end
$$;

drop trigger if exists credit_balances_guard on public.credit_balances;
create trigger credit_balances_guard
  before insert or update or delete on public.credit_balances
  for each row execute function public.credit_balances_guard();

drop trigger if exists credit_balances_no_truncate on public.credit_balances;
create trigger credit_balances_no_truncate
  before truncate on public.credit_balances
  for each statement execute function public.credit_ledger_append_only();
