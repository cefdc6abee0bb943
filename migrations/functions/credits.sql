-- Credits: the triggers that keep the ledger append-only and the balances derived from it
-- (the rules of migrations/0003_credits.sql), and the money movements. Re-applied by
-- scripts/migrate.mjs whenever this file changes: edit a function in place.
--
-- Each money function is one whole operation in one transaction (one round trip from the
-- Worker), and the only way credits move. Every ledger entry carries a UNIQUE idempotency key:
-- calling again with the same key changes nothing and answers the current state with
-- applied = false.
--
-- Concurrency: every function that touches a user's money first locks that user's
-- credit_balances row (creating it empty if needed), so one user's operations run one after the
-- other and each sees the balance the previous one left. Lock order, everywhere: idempotency
-- row (create_job) → job row (transition_job, refund_job) → balance row. Never the reverse.
--
-- Errors (SQLSTATE, message prefix) — the Worker maps them to API errors:
--   22023  'invalid_request: ...'         bad argument (amount ≤ 0, unknown kind, ...) → 400
--   AG402  'insufficient_credits: ...'    adjust_credits would overdraw; nothing applied → 402
--   AG403  'append_only: ...'             direct UPDATE/DELETE of ledger or balances    → 500
--   AG422  'idempotency_key_reused: ...'  a ledger key already used by another user,
--                                         kind or amount; nothing applied               → 422
-- (23514 check_violation on credit_balances would mean a function forgot a check: a bug.)

-- The ledger is append-only, for everyone (the functions never update or delete it either), and
-- neither it nor the balances may be truncated.
create or replace function public.credit_ledger_append_only() returns trigger
language plpgsql set search_path = public, pg_temp
as $$
begin
  raise exception using
    errcode = 'AG403',
    message = format('append_only: %s does not allow %s', tg_table_name, tg_op),
    hint = 'Record a correcting entry (adjust_credits) instead.';
end
$$;

create or replace trigger credit_ledger_no_update
  before update or delete on public.credit_ledger
  for each row execute function public.credit_ledger_append_only();

create or replace trigger credit_ledger_no_truncate
  before truncate on public.credit_ledger
  for each statement execute function public.credit_ledger_append_only();

create or replace trigger credit_balances_no_truncate
  before truncate on public.credit_balances
  for each statement execute function public.credit_ledger_append_only();

-- A ledger entry moves the balance in the same statement. AFTER INSERT: an INSERT ... ON
-- CONFLICT DO NOTHING that inserts nothing moves nothing (a BEFORE trigger would fire anyway).
-- NOTE: update, then insert: an upsert would check the CHECK on the proposed row (the bare
-- delta, negative for a reserve) before noticing the conflict.
create or replace function public.credit_ledger_apply() returns trigger
language plpgsql set search_path = public, pg_temp
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

create or replace trigger credit_ledger_apply
  after insert on public.credit_ledger
  for each row execute function public.credit_ledger_apply();

-- Balances change only from credit_ledger_apply() (trigger depth ≥ 2 here). A direct INSERT may
-- only create an empty row (what the functions do to have a row to lock); UPDATE and DELETE
-- from anywhere else raise.
create or replace function public.credit_balances_guard() returns trigger
language plpgsql set search_path = public, pg_temp
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

create or replace trigger credit_balances_guard
  before insert or update or delete on public.credit_balances
  for each row execute function public.credit_balances_guard();

-- Internal: the user's balance row, created empty when missing, locked until commit.
create or replace function public._credit_lock(p_user uuid) returns bigint
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_balance bigint;
begin
  if p_user is null then
    raise exception using errcode = '22023', message = 'invalid_request: user id is required';
  end if;
  insert into public.credit_balances (user_id, balance) values (p_user, 0)
  on conflict (user_id) do nothing;
  select b.balance into strict v_balance
  from public.credit_balances b where b.user_id = p_user for update;
  return v_balance;
end
$$;

-- Internal: appends one entry unless its key exists. True when appended. The caller holds the
-- user's balance lock. A key already used for another user or kind (or, except clawbacks,
-- another amount) is a caller bug: AG422.
create or replace function public._credit_append(
  p_user uuid, p_delta bigint, p_kind text, p_key text, p_job uuid, p_reason text, p_metadata jsonb
) returns boolean
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_old public.credit_ledger%rowtype;
begin
  if p_key is null or length(p_key) = 0 then
    raise exception using errcode = '22023', message = 'invalid_request: idempotency key is required';
  end if;
  select * into v_old from public.credit_ledger l where l.idempotency_key = p_key;
  if not found then
    insert into public.credit_ledger (user_id, delta, kind, idempotency_key, job_id, reason, metadata)
    values (p_user, p_delta, p_kind, p_key, p_job, p_reason, p_metadata)
    on conflict (idempotency_key) do nothing;
    if found then
      return true;
    end if;
    -- another user's transaction took the key meanwhile
    select * into strict v_old from public.credit_ledger l where l.idempotency_key = p_key;
  end if;
  if v_old.user_id <> p_user or v_old.kind <> p_kind
     or (p_kind <> 'clawback' and v_old.delta <> p_delta) then
    raise exception using
      errcode = 'AG422',
      message = format('idempotency_key_reused: %s was used for another credit entry', p_key);
  end if;
  return false;
end
$$;

-- Internal: the reservation a job recorded (ledger key reserve:<job_id>), never recomputed; 0
-- for admin and free jobs.
create or replace function public._credit_job_reserved(p_job_id uuid)
returns bigint
language sql stable set search_path = public, pg_temp
as $$
  select coalesce((select -l.delta from public.credit_ledger l where l.idempotency_key = 'reserve:' || p_job_id), 0)
$$;

-- Internal: gives p_amount of a job's reservation back to p_user, once under p_key. Returns
-- the amount given back now: 0 when p_amount is not positive or the key was used before.
create or replace function public._credit_give_back(
  p_job_id uuid, p_user uuid, p_amount bigint, p_key text, p_reason text, p_metadata jsonb
) returns bigint
language plpgsql set search_path = public, pg_temp
as $$
begin
  if p_amount <= 0 then
    return 0;
  end if;
  perform public._credit_lock(p_user);
  if public._credit_append(p_user, p_amount, 'refund', p_key, p_job_id, p_reason, p_metadata) then
    return p_amount;
  end if;
  return 0;
end
$$;

-- Internal: gives a job's reservation back, once (ledger key refund:<job_id>). Returns the
-- amount refunded now: 0 for admin/free jobs and when already refunded. The amount is the
-- reservation actually recorded, less what its settlement gave back.
-- Callers hold the job's row lock, as _credit_settle_job's do: the two never interleave.
create or replace function public._credit_refund_job(p_job_id uuid, p_user uuid, p_reason text)
returns bigint
language plpgsql set search_path = public, pg_temp
as $$
begin
  if p_user is null then
    return 0;
  end if;
  return public._credit_give_back(
    p_job_id, p_user,
    public._credit_job_reserved(p_job_id)
      - coalesce((select l.delta from public.credit_ledger l where l.idempotency_key = 'settle:' || p_job_id), 0),
    'refund:' || p_job_id, coalesce(p_reason, 'job refund'), null);
end
$$;

-- Internal: settles a usage-priced job at what it cost (p_charged, computed by the core from
-- what the provider reported): gives back the part of its reservation it did not use, once
-- (ledger key settle:<job_id>). Never more than was reserved, and nothing once the job was
-- refunded (refund:<job_id>). Returns the amount given back now.
create or replace function public._credit_settle_job(p_job_id uuid, p_user uuid, p_charged bigint)
returns bigint
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_reserved bigint := public._credit_job_reserved(p_job_id);
begin
  if p_charged is null or p_charged < 0 then
    raise exception using errcode = '22023', message = 'invalid_request: a settled price is 0 or more credits';
  end if;
  if p_user is null
     or exists (select 1 from public.credit_ledger l where l.idempotency_key = 'refund:' || p_job_id) then
    return 0;
  end if;
  return public._credit_give_back(p_job_id, p_user, v_reserved - p_charged, 'settle:' || p_job_id,
                                  'job settled at what it used',
                                  jsonb_build_object('reserved', v_reserved, 'charged', p_charged));
end
$$;

-- job_charged_credits: what a job in p_status cost its owner, from the ledger (its reservation
-- less its refunds): null while the job is open (its price may still be refunded or settled),
-- 0 for admin jobs.
--
--   select public.job_charged_credits(id, status) as charged_credits from public.jobs ...
create or replace function public.job_charged_credits(p_job_id uuid, p_status text)
returns bigint
language sql stable security definer set search_path = public, pg_temp
as $$
  select case when s.terminal
              then coalesce((select -sum(l.delta) from public.credit_ledger l where l.job_id = p_job_id), 0)
         end
  from public.job_statuses s where s.status = p_status
$$;

-- Internal: the welcome grant, once per user (key welcome:<user>). The caller holds the user's
-- balance lock, so the check below is exact; the amount is the configuration of the moment
-- (a later change of WELCOME_CREDITS neither regrants nor conflicts).
create or replace function public._credit_welcome(p_user uuid, p_amount integer) returns boolean
language plpgsql set search_path = public, pg_temp
as $$
begin
  if coalesce(p_amount, 0) <= 0
     or exists (select 1 from public.credit_ledger l where l.idempotency_key = 'welcome:' || p_user) then
    return false;
  end if;
  return public._credit_append(p_user, p_amount, 'grant', 'welcome:' || p_user, null, 'welcome credits', null);
end
$$;

-- grant_credits: adds credits (purchase: Stripe fulfilment; grant: welcome, allowance, bonus).
--   select applied, balance from public.grant_credits($1::uuid, $2::bigint, $3::text, $4::text, $5::text, $6::jsonb)
--   p_amount > 0; p_kind 'purchase' | 'grant'; p_idempotency_key e.g. 'stripe:cs_...' (required).
--   → one row (applied boolean, balance bigint). applied = false: the key was already used (same
--     user, kind and amount); balance is the current one either way.
create or replace function public.grant_credits(
  p_user uuid, p_amount bigint, p_kind text, p_idempotency_key text, p_reason text, p_metadata jsonb
) returns table (applied boolean, balance bigint)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_applied boolean;
begin
  if p_amount is null or p_amount <= 0 then
    raise exception using errcode = '22023', message = 'invalid_request: amount must be > 0';
  end if;
  if p_kind is null or p_kind not in ('purchase', 'grant') then
    raise exception using errcode = '22023', message = 'invalid_request: kind must be purchase or grant';
  end if;
  perform public._credit_lock(p_user);
  v_applied := public._credit_append(p_user, p_amount, p_kind, p_idempotency_key, null, p_reason, p_metadata);
  return query select v_applied, b.balance from public.credit_balances b where b.user_id = p_user;
end
$$;

-- adjust_credits: an admin correction, positive or negative.
--   select applied, balance from public.adjust_credits($1::uuid, $2::bigint, $3::text, $4::text)
--   (optional 5th argument p_metadata jsonb.)
--   p_delta ≠ 0. A negative delta larger than the balance raises AG402 'insufficient_credits:
--   balance B, adjustment D' and applies nothing. A repeated key answers applied = false (even if
--   the balance is now too low for it: it was applied the first time).
--   → one row (applied boolean, balance bigint).
create or replace function public.adjust_credits(
  p_user uuid, p_delta bigint, p_idempotency_key text, p_reason text, p_metadata jsonb default null
) returns table (applied boolean, balance bigint)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_balance bigint;
  v_applied boolean := false;
begin
  if p_delta is null or p_delta = 0 then
    raise exception using errcode = '22023', message = 'invalid_request: delta must not be 0';
  end if;
  v_balance := public._credit_lock(p_user);
  if p_idempotency_key is not null
     and exists (select 1 from public.credit_ledger l where l.idempotency_key = p_idempotency_key) then
    v_applied := public._credit_append(p_user, p_delta, 'adjustment', p_idempotency_key, null, p_reason, p_metadata);
  elsif v_balance + p_delta < 0 then
    raise exception using
      errcode = 'AG402',
      message = format('insufficient_credits: balance %s, adjustment %s', v_balance, p_delta);
  else
    v_applied := public._credit_append(p_user, p_delta, 'adjustment', p_idempotency_key, null, p_reason, p_metadata);
  end if;
  return query select v_applied, b.balance from public.credit_balances b where b.user_id = p_user;
end
$$;

-- clawback_credits: takes credits back (Stripe charge.refunded), never below 0: takes
-- min(p_amount, balance) and records what it actually took (possibly 0, still recorded once so
-- that a later call with the same key takes nothing). metadata gets "requested": p_amount.
--   select applied, clawed, balance from public.clawback_credits($1::uuid, $2::bigint, $3::text, $4::text, $5::jsonb)
--   p_amount > 0. → one row (applied boolean, clawed bigint, balance bigint). Repeated key:
--   applied = false, clawed = what the first call took.
create or replace function public.clawback_credits(
  p_user uuid, p_amount bigint, p_idempotency_key text, p_reason text, p_metadata jsonb
) returns table (applied boolean, clawed bigint, balance bigint)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_balance bigint;
  v_old public.credit_ledger%rowtype;
  v_take bigint;
begin
  if p_amount is null or p_amount <= 0 then
    raise exception using errcode = '22023', message = 'invalid_request: amount must be > 0';
  end if;
  v_balance := public._credit_lock(p_user);
  select * into v_old from public.credit_ledger l where l.idempotency_key = p_idempotency_key;
  if found then
    perform public._credit_append(p_user, v_old.delta, 'clawback', p_idempotency_key, null, p_reason, p_metadata);
    return query select false, -v_old.delta, v_balance;
    return;
  end if;
  v_take := least(p_amount, v_balance);
  perform public._credit_append(
    p_user, -v_take, 'clawback', p_idempotency_key, null, p_reason,
    coalesce(p_metadata, '{}'::jsonb) || jsonb_build_object('requested', p_amount));
  return query select true, v_take, b.balance from public.credit_balances b where b.user_id = p_user;
end
$$;

-- user_credits: the balance for GET /me and GET /credits, granting the welcome credits first
-- (once per user: ledger key welcome:<user>; nothing when p_welcome_credits ≤ 0).
--   select public.user_credits($1::uuid, $2::integer) as balance
--   → bigint. Takes no lock once the welcome grant exists.
create or replace function public.user_credits(p_user uuid, p_welcome_credits integer)
returns bigint
language plpgsql security definer set search_path = public, pg_temp
as $$
begin
  if p_user is null then
    raise exception using errcode = '22023', message = 'invalid_request: user id is required';
  end if;
  if coalesce(p_welcome_credits, 0) > 0
     and not exists (select 1 from public.credit_ledger l where l.idempotency_key = 'welcome:' || p_user) then
    perform public._credit_lock(p_user);
    perform public._credit_welcome(p_user, p_welcome_credits);
  end if;
  return coalesce((select b.balance from public.credit_balances b where b.user_id = p_user), 0);
end
$$;

-- credits_overview: GET /credits in one statement, so one round trip to the database:
-- the balance, granting the welcome credits first exactly as user_credits does, then the newest
-- ledger entries, which include that grant (one plpgsql call: its second statement sees the
-- first one's writes, where two parts of one SQL statement would not).
--   select balance, id, delta, kind, reason, job_id, created_at
--   from public.credits_overview($1::uuid, $2::integer, $3::integer)
--   → the balance on every row; one row per entry (newest first, at most p_limit), or one row
--     with a null id when the user has no entry. Idempotent.
create or replace function public.credits_overview(p_user uuid, p_welcome_credits integer, p_limit integer)
returns table (balance bigint, id bigint, delta bigint, kind text, reason text, job_id uuid, created_at timestamptz)
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  v_balance bigint := public.user_credits(p_user, p_welcome_credits);
begin
  return query
    select v_balance, e.id, e.delta, e.kind, e.reason, e.job_id, e.created_at
    from (values (1)) as one
    left join lateral (
      select l.id, l.delta, l.kind, l.reason, l.job_id, l.created_at
      from public.credit_ledger l
      where l.user_id = p_user
      order by l.id desc
      limit greatest(p_limit, 0)
    ) as e on true;
end
$$;

select public._function_access('owner',
  'public.credit_ledger_append_only()',
  'public.credit_ledger_apply()',
  'public.credit_balances_guard()',
  'public._credit_lock(uuid)',
  'public._credit_append(uuid, bigint, text, text, uuid, text, jsonb)',
  'public._credit_job_reserved(uuid)',
  'public._credit_give_back(uuid, uuid, bigint, text, text, jsonb)',
  'public._credit_refund_job(uuid, uuid, text)',
  'public._credit_settle_job(uuid, uuid, bigint)',
  'public._credit_welcome(uuid, integer)');
select public._function_access('api',
  'public.grant_credits(uuid, bigint, text, text, text, jsonb)',
  'public.adjust_credits(uuid, bigint, text, text, jsonb)',
  'public.clawback_credits(uuid, bigint, text, text, jsonb)',
  'public.user_credits(uuid, integer)',
  'public.credits_overview(uuid, integer, integer)',
  'public.job_charged_credits(uuid, text)');
