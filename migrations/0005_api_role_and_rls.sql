-- Who may do what. Idempotent.
--
-- alphogen_api: the Worker's database role (NOLOGIN). Production login users are made members:
--   create role alphogen_worker login password '...' in role alphogen_api;
-- and the Hyperdrive connection string names alphogen_worker. It may execute the money and job
-- functions, read, and append to events; it can write no money table (credit_balances,
-- credit_ledger, idempotency_keys) nor jobs directly: the functions (SECURITY DEFINER, owned
-- by the migration owner, which bypasses RLS on its own tables) do that.
--
-- Supabase clients (role authenticated, auth.uid()) read their own balance, ledger, jobs and
-- job events, and anyone reads the enabled models. service_role: full access, as in 0001.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'alphogen_api') then
    create role alphogen_api nologin;
  end if;
exception
  when duplicate_object then null;   -- created concurrently (roles are cluster-wide)
end
$$;

grant usage on schema public to alphogen_api;

-- ---------------------------------------------------------------------------------------------
-- Functions: the API role and service_role only. Supabase's default privileges give every new
-- function in public to anon and authenticated (and Postgres to PUBLIC): take that back.

revoke all on function
  public.create_job(uuid, text, jsonb, integer, integer, text, text, text, integer, text, interval),
  public.transition_job(uuid, text, jsonb, jsonb, integer, jsonb),
  public.update_job_fields(uuid, jsonb),
  public.refund_job(uuid, text),
  public.grant_credits(uuid, bigint, text, text, text, jsonb),
  public.adjust_credits(uuid, bigint, text, text, jsonb),
  public.clawback_credits(uuid, bigint, text, text, jsonb),
  public.user_credits(uuid, integer),
  public.prune_idempotency_keys(interval)
from public, anon, authenticated;

grant execute on function
  public.create_job(uuid, text, jsonb, integer, integer, text, text, text, integer, text, interval),
  public.transition_job(uuid, text, jsonb, jsonb, integer, jsonb),
  public.update_job_fields(uuid, jsonb),
  public.refund_job(uuid, text),
  public.grant_credits(uuid, bigint, text, text, text, jsonb),
  public.adjust_credits(uuid, bigint, text, text, jsonb),
  public.clawback_credits(uuid, bigint, text, text, jsonb),
  public.user_credits(uuid, integer),
  public.prune_idempotency_keys(interval)
to alphogen_api, service_role;

-- Internals and trigger functions: nobody but the owner.
revoke all on function
  public._credit_lock(uuid),
  public._credit_append(uuid, bigint, text, text, uuid, text, jsonb),
  public._credit_welcome(uuid, integer),
  public._credit_refund_job(uuid, uuid, text),
  public._job_fields(jsonb),
  public._job_update(uuid, text, boolean, jsonb),
  public.credit_ledger_append_only(),
  public.credit_ledger_apply(),
  public.credit_balances_guard()
from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Tables. Supabase's default privileges grant ALL on new tables to anon and authenticated (RLS
-- then filters rows); money and lifecycle tables are read-only to them whatever the policies.

grant select on
  public.models, public.job_statuses, public.job_transitions, public.jobs, public.job_events,
  public.credit_balances, public.credit_ledger, public.events
to alphogen_api;
grant insert on public.events to alphogen_api;
grant usage on sequence public.events_id_seq to alphogen_api;

revoke insert, update, delete, truncate on
  public.models, public.job_statuses, public.job_transitions, public.job_events,
  public.credit_balances, public.credit_ledger, public.idempotency_keys
from anon, authenticated;
revoke all on public.idempotency_keys from anon, authenticated;
revoke all on sequence public.credit_ledger_id_seq, public.job_events_id_seq from anon, authenticated;
-- Jobs are created by create_job only (it takes the credits): no more direct inserts.
revoke insert, update, delete, truncate on public.jobs from anon, authenticated;
drop policy if exists "job_owner_can_insert" on public.jobs;

-- ---------------------------------------------------------------------------------------------
-- Row Level Security.

alter table public.models enable row level security;
alter table public.job_statuses enable row level security;
alter table public.job_transitions enable row level security;
alter table public.job_events enable row level security;
alter table public.idempotency_keys enable row level security;
alter table public.credit_balances enable row level security;
alter table public.credit_ledger enable row level security;

drop policy if exists "models_read_enabled" on public.models;
create policy "models_read_enabled" on public.models
  for select using (enabled);

drop policy if exists "job_statuses_read" on public.job_statuses;
create policy "job_statuses_read" on public.job_statuses
  for select using (true);

drop policy if exists "job_transitions_read" on public.job_transitions;
create policy "job_transitions_read" on public.job_transitions
  for select using (true);

drop policy if exists "job_events_owner_can_read" on public.job_events;
create policy "job_events_owner_can_read" on public.job_events
  for select to authenticated
  using (exists (select 1 from public.jobs j where j.id = job_events.job_id and j.user_id = auth.uid()));

drop policy if exists "credit_balances_owner_can_read" on public.credit_balances;
create policy "credit_balances_owner_can_read" on public.credit_balances
  for select to authenticated using (auth.uid() = user_id);

drop policy if exists "credit_ledger_owner_can_read" on public.credit_ledger;
create policy "credit_ledger_owner_can_read" on public.credit_ledger
  for select to authenticated using (auth.uid() = user_id);

-- service_role (BYPASSRLS on Supabase anyway), as 0001 does for jobs and events.
drop policy if exists "service_role_all_models" on public.models;
create policy "service_role_all_models" on public.models
  for all using (auth.role() = 'service_role');
drop policy if exists "service_role_all_job_events" on public.job_events;
create policy "service_role_all_job_events" on public.job_events
  for all using (auth.role() = 'service_role');
drop policy if exists "service_role_all_idempotency_keys" on public.idempotency_keys;
create policy "service_role_all_idempotency_keys" on public.idempotency_keys
  for all using (auth.role() = 'service_role');
drop policy if exists "service_role_all_credit_balances" on public.credit_balances;
create policy "service_role_all_credit_balances" on public.credit_balances
  for all using (auth.role() = 'service_role');
drop policy if exists "service_role_all_credit_ledger" on public.credit_ledger;
create policy "service_role_all_credit_ledger" on public.credit_ledger
  for all using (auth.role() = 'service_role');

-- The API role reads every row (it serves every user and the admin) and appends events.
drop policy if exists "api_read_models" on public.models;
create policy "api_read_models" on public.models for select to alphogen_api using (true);
drop policy if exists "api_read_jobs" on public.jobs;
create policy "api_read_jobs" on public.jobs for select to alphogen_api using (true);
drop policy if exists "api_read_job_events" on public.job_events;
create policy "api_read_job_events" on public.job_events for select to alphogen_api using (true);
drop policy if exists "api_read_credit_balances" on public.credit_balances;
create policy "api_read_credit_balances" on public.credit_balances for select to alphogen_api using (true);
drop policy if exists "api_read_credit_ledger" on public.credit_ledger;
create policy "api_read_credit_ledger" on public.credit_ledger for select to alphogen_api using (true);
drop policy if exists "api_read_events" on public.events;
create policy "api_read_events" on public.events for select to alphogen_api using (true);
drop policy if exists "api_insert_events" on public.events;
create policy "api_insert_events" on public.events for insert to alphogen_api with check (true);
