-- Jobs: creation with its reservation, transitions with their refunds, the Idempotency-Key of
-- POST /jobs, and the trigger that pins a job to its model's endpoint. Re-applied by
-- scripts/migrate.mjs whenever this file changes: edit a function in place. Each function is
-- one transaction, one round trip from the Worker:
--
--   POST /jobs         create_job (reserve + job row + first event + idempotency row)
--                      then transition_job (submitted|error|noop + provider id + stored response)
--   webhook/poll/cron  transition_job: only rows of job_transitions apply, so when several paths
--                      race to finalise a job, exactly one applies and refunds; the others get
--                      applied = false and the status that won.
--
-- Errors: 22023 'invalid_request: ...' for bad arguments (see functions/credits.sql for the
-- full convention). Outcomes that are answers, not faults (insufficient credits, rate limited,
-- ...) are rows.

-- Internal: p_fields checked: null or a JSON object with any of provider, provider_job_id,
-- provider_endpoint_id, run_model, webhook_token_hash (strings), result, error, outputs (JSON;
-- null clears). Else 22023.
create or replace function public._job_fields(p_fields jsonb) returns jsonb
language plpgsql set search_path = public, pg_temp
as $$
declare
  f jsonb := coalesce(p_fields, '{}'::jsonb);
  v_unknown text;
begin
  if jsonb_typeof(f) <> 'object' then
    raise exception using errcode = '22023', message = 'invalid_request: job fields must be a JSON object';
  end if;
  select string_agg(k, ', ') into v_unknown from jsonb_object_keys(f) k
  where k not in ('provider', 'provider_job_id', 'provider_endpoint_id', 'run_model', 'webhook_token_hash', 'result',
                  'error', 'outputs');
  if v_unknown is not null then
    raise exception using errcode = '22023', message = 'invalid_request: unknown job fields: ' || v_unknown;
  end if;
  return f;
end
$$;

-- Internal: writes the fields (see _job_fields) and updated_at, plus status and finished_at
-- when given. The caller holds the job's row lock and has checked the transition.
create or replace function public._job_update(
  p_job_id uuid, p_status text, p_terminal boolean, p_fields jsonb
) returns void
language plpgsql set search_path = public, pg_temp
as $$
declare
  f jsonb := public._job_fields(p_fields);
begin
  update public.jobs j set
    status = coalesce(p_status, j.status),
    finished_at = case when p_terminal then now() else j.finished_at end,
    provider = case when f ? 'provider' then f ->> 'provider' else j.provider end,
    provider_job_id = case when f ? 'provider_job_id' then f ->> 'provider_job_id' else j.provider_job_id end,
    provider_endpoint_id = case when f ? 'provider_endpoint_id' then f ->> 'provider_endpoint_id'
                                else j.provider_endpoint_id end,
    run_model = case when f ? 'run_model' then f ->> 'run_model' else j.run_model end,
    webhook_token_hash = case when f ? 'webhook_token_hash' then f ->> 'webhook_token_hash' else j.webhook_token_hash end,
    result = case when f ? 'result' then nullif(f -> 'result', 'null'::jsonb) else j.result end,
    error = case when f ? 'error' then nullif(f -> 'error', 'null'::jsonb) else j.error end,
    outputs = case when f ? 'outputs' then nullif(f -> 'outputs', 'null'::jsonb) else j.outputs end,
    updated_at = now()
  where j.id = p_job_id;
end
$$;

-- create_job: POST /jobs in one transaction: Idempotency-Key, model, welcome grant, hourly rate
-- limit, balance check, reservation of the price the core computed, job row (queued), first
-- job_event.
--
--   select * from public.create_job($1::uuid, $2::text, $3::jsonb, $4::integer, $5::integer,
--                                   $6::text, $7::text, $8::text, $9::integer, $10::text,
--                                   p_cost => $11::integer, p_model_revision => $12::bigint)
--
--   p_user            the user; null = an admin job (free, no rate limit)
--   p_model           model id; null = the default model. Unknown or disabled → unknown_model
--   p_payload         stored as jobs.payload
--   p_jobs_per_hour   JOBS_PER_HOUR; null or ≤ 0 = no limit. Counts the user's jobs other than
--                     text created in the last hour, whatever their state
--   p_welcome_credits WELCOME_CREDITS, granted once per user before the checks (kept even when
--                     the job is refused)
--   p_idem_scope      the user id as text, or 'admin' (null: derived from p_user)
--   p_idem_key        Idempotency-Key header; null = none
--   p_request_hash    hash of the request (method, path, body) for the key; compared as text
--   p_deadline_s      seconds until jobs.deadline_at (cron times the job out after); null = none
--   p_webhook_token_hash  (optional) hash of the per-job webhook secret, stored on the row so
--                     the webhook can be checked from the moment the job exists
--   p_idem_ttl        (optional, default 24 h) older keys count as absent (replaced)
--   p_providers       (optional) the providers that can take a job now; a model of another
--                     → model_unavailable. null: any
--   p_cost            the job's price in credits, from the model's pricing and the job's input
--                     (src/inputs/pricing: the one place prices are computed); required
--   p_model_revision  (optional) the model revision p_cost was computed from; another →
--                     model_changed (the caller prices again from the current row). null: any
--   p_text_per_minute (optional) TEXT_REQUESTS_PER_MINUTE: a job on a text model counts against
--                     this limit of the user's text jobs of the last minute instead of the
--                     hourly one; null or ≤ 0 = no limit
--
--   → one row (outcome text, job_id uuid, status text, cost_credits integer, balance bigint,
--              required integer, retry_after_s integer, response_status integer,
--              response_body jsonb); columns not listed for an outcome are null:
--     'created'                 job_id, status 'queued', cost_credits, balance (after; null for
--                               admin jobs)
--     'insufficient_credits'    balance, required                         (→ 402)
--     'rate_limited'            retry_after_s ≥ 1, balance                 (→ 429 Retry-After)
--     'unknown_model'                                                      (→ 400/404)
--     'model_unavailable'       the model's provider is not in p_providers   (→ 400)
--     'model_changed'           the model is not at p_model_revision any more (→ price again)
--     'replay'                  response_status, response_body, job_id     (→ send them as is)
--     'in_progress'             job_id (same key, first request not done)  (→ 409)
--     'idempotency_key_reused'  job_id (same key, another request_hash)    (→ 422)
--   Only 'created' writes anything besides the welcome grant: a refused request stores no
--   idempotency row (retrying it with the same key is evaluated afresh, as Stripe does for 429).
drop function if exists public.create_job(uuid, text, jsonb, integer, integer, text, text, text, integer, text,
                                          interval);
drop function if exists public.create_job(uuid, text, jsonb, integer, integer, text, text, text, integer, text,
                                          interval, text[]);
drop function if exists public.create_job(uuid, text, jsonb, integer, integer, text, text, text, integer, text,
                                          interval, text[], integer, bigint);
create or replace function public.create_job(
  p_user uuid, p_model text, p_payload jsonb, p_jobs_per_hour integer, p_welcome_credits integer,
  p_idem_scope text, p_idem_key text, p_request_hash text, p_deadline_s integer,
  p_webhook_token_hash text default null, p_idem_ttl interval default interval '24 hours',
  p_providers text[] default null, p_cost integer default null, p_model_revision bigint default null,
  p_text_per_minute integer default null
) returns table (
  outcome text, job_id uuid, status text, cost_credits integer, balance bigint,
  required integer, retry_after_s integer, response_status integer, response_body jsonb
)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_scope text := coalesce(p_idem_scope, p_user::text, 'admin');
  v_hash text := coalesce(p_request_hash, '');
  v_idem public.idempotency_keys%rowtype;
  v_model public.models%rowtype;
  v_balance bigint;
  v_cost integer := 0;
  v_count bigint;
  v_oldest timestamptz;
  v_retry integer;
  v_now timestamptz;
  v_job uuid := gen_random_uuid();
  v_attempts integer := 0;
  v_text boolean;
  v_limit integer;
  v_window interval;
begin
  if p_deadline_s is not null and p_deadline_s <= 0 then
    raise exception using errcode = '22023', message = 'invalid_request: deadline must be > 0 seconds';
  end if;
  if p_cost is null or p_cost < 0 then
    raise exception using errcode = '22023', message = 'invalid_request: the cost must be given, ≥ 0';
  end if;

  -- 1. Idempotency-Key. Inserting first makes a concurrent request with the same key wait here
  --    until this one commits (then it replays) or stores nothing (then it runs).
  if p_idem_key is not null then
    loop
      insert into public.idempotency_keys (scope, key, request_hash, state)
      values (v_scope, p_idem_key, v_hash, 'running')
      on conflict (scope, key) do nothing;
      exit when found;
      select * into v_idem from public.idempotency_keys k
      where k.scope = v_scope and k.key = p_idem_key for update;
      if not found then            -- pruned between the two statements: try again
        v_attempts := v_attempts + 1;
        if v_attempts > 3 then
          raise exception using errcode = '40001', message = 'idempotency key kept changing; retry';
        end if;
        continue;
      end if;
      if v_idem.created_at < now() - p_idem_ttl then   -- expired: this request takes it over
        update public.idempotency_keys k
        set request_hash = v_hash, state = 'running', job_id = null, response_status = null,
            response_body = null, created_at = now()
        where k.scope = v_scope and k.key = p_idem_key;
        exit;
      end if;
      if v_idem.request_hash <> v_hash then
        return query select 'idempotency_key_reused'::text, v_idem.job_id, null::text, null::integer,
          null::bigint, null::integer, null::integer, null::integer, null::jsonb;
        return;
      end if;
      if v_idem.state = 'running' then
        return query select 'in_progress'::text, v_idem.job_id, null::text, null::integer,
          null::bigint, null::integer, null::integer, null::integer, null::jsonb;
        return;
      end if;
      return query select 'replay'::text, v_idem.job_id, null::text, null::integer,
        null::bigint, null::integer, null::integer, v_idem.response_status, v_idem.response_body;
      return;
    end loop;
  end if;

  -- 2. The model and its price.
  select * into v_model from public.models m
  where m.enabled and case when p_model is null then m.is_default else m.id = p_model end;
  if not found then
    delete from public.idempotency_keys k where k.scope = v_scope and k.key = p_idem_key;
    return query select 'unknown_model'::text, null::uuid, null::text, null::integer,
      null::bigint, null::integer, null::integer, null::integer, null::jsonb;
    return;
  end if;
  if p_providers is not null and not (v_model.provider = any(p_providers)) then
    delete from public.idempotency_keys k where k.scope = v_scope and k.key = p_idem_key;
    return query select 'model_unavailable'::text, null::uuid, null::text, null::integer,
      null::bigint, null::integer, null::integer, null::integer, null::jsonb;
    return;
  end if;
  if p_model_revision is not null and v_model.revision <> p_model_revision then
    delete from public.idempotency_keys k where k.scope = v_scope and k.key = p_idem_key;
    return query select 'model_changed'::text, null::uuid, null::text, null::integer,
      null::bigint, null::integer, null::integer, null::integer, null::jsonb;
    return;
  end if;

  -- 3. User jobs: under the user's balance lock, so the count and the balance below are exact
  --    whatever runs concurrently.
  if p_user is not null then
    v_balance := public._credit_lock(p_user);
    if public._credit_welcome(p_user, p_welcome_credits) then
      v_balance := v_balance + p_welcome_credits;
    end if;

    -- Text jobs (chat) come many to a conversation: they have a per-minute limit of their own.
    v_text := v_model.content_type = 'text';
    v_limit := case when v_text then p_text_per_minute else p_jobs_per_hour end;
    v_window := case when v_text then interval '1 minute' else interval '1 hour' end;
    if coalesce(v_limit, 0) > 0 then
      -- NOTE: the clock, not now(): this transaction may have started before the ones it
      -- waited for on the lock, whose jobs carry their own (later) start time.
      v_now := clock_timestamp();
      select count(*) into v_count from public.jobs j
      where j.user_id = p_user and j.created_at > v_now - v_window
        and (j.content_type = 'text') = v_text;
      if v_count >= v_limit then
        -- when enough jobs have left the window for one more to fit
        select j.created_at into v_oldest from public.jobs j
        where j.user_id = p_user and j.created_at > v_now - v_window
          and (j.content_type = 'text') = v_text
        order by j.created_at, j.id
        offset v_count - v_limit limit 1;
        v_retry := least(3600, greatest(1,
          ceil(extract(epoch from (v_oldest + v_window - v_now)))::integer));
        delete from public.idempotency_keys k where k.scope = v_scope and k.key = p_idem_key;
        return query select 'rate_limited'::text, null::uuid, null::text, null::integer,
          v_balance, null::integer, v_retry, null::integer, null::jsonb;
        return;
      end if;
    end if;

    v_cost := p_cost;
    if v_balance < v_cost then
      delete from public.idempotency_keys k where k.scope = v_scope and k.key = p_idem_key;
      return query select 'insufficient_credits'::text, null::uuid, null::text, null::integer,
        v_balance, v_cost, null::integer, null::integer, null::jsonb;
      return;
    end if;
  end if;

  -- 4. The job, its first event, its reservation.
  insert into public.jobs (id, user_id, status, payload, model, cost_credits, provider,
                           webhook_token_hash, deadline_at, created_at, updated_at)
  values (v_job, p_user, 'queued', p_payload, v_model.id, v_cost, v_model.provider,
          p_webhook_token_hash, now() + make_interval(secs => p_deadline_s), now(), now());
  insert into public.job_events (job_id, from_status, to_status, detail)
  values (v_job, null, 'queued', jsonb_build_object('model', v_model.id, 'cost_credits', v_cost));
  if v_cost > 0 then
    perform public._credit_append(p_user, -v_cost::bigint, 'reserve', 'reserve:' || v_job, v_job,
                                  'job reservation', jsonb_build_object('model', v_model.id));
    v_balance := v_balance - v_cost;
  end if;
  if p_idem_key is not null then
    update public.idempotency_keys k set job_id = v_job where k.scope = v_scope and k.key = p_idem_key;
  end if;

  return query select 'created'::text, v_job, 'queued'::text, v_cost, v_balance,
    null::integer, null::integer, null::integer, null::jsonb;
end
$$;

-- _idempotency_answered: the answer a replay of the job's Idempotency-Key gets from now on.
create or replace function public._idempotency_answered(
  p_job_id uuid, p_response_status integer, p_response_body jsonb
) returns void
language sql set search_path = public, pg_temp
as $$
  update public.idempotency_keys k
  set state = 'done', response_status = p_response_status, response_body = p_response_body
  where k.job_id = p_job_id and k.state = 'running';
$$;

-- transition_job: moves a job along one row of job_transitions, or does nothing.
--
--   select applied, status, refunded, charged_credits
--   from public.transition_job($1::uuid, $2::text, $3::jsonb, $4::jsonb, $5::integer, $6::jsonb, $7::bigint)
--
--   p_to       the new status (must be in job_statuses, else 22023)
--   p_detail   stored on the job_event (e.g. the provider status, who saw it: webhook/poll/cron)
--   p_fields   null or an object: provider, provider_job_id, webhook_token_hash, result, error,
--              outputs (see _job_update); written only when the transition applies
--   p_idem_response_status, p_idem_response_body
--              null, or the response POST /jobs sends: stored as the job's Idempotency-Key
--              replay (state done), whether or not the transition applies (the Worker sends that
--              response either way); only the first one is kept
--   p_charged  null, or what a usage-priced job cost by what its provider reported (never above
--              its reservation): a transition into a terminal status that refunds nothing
--              (completed) gives back the rest of the reservation (ledger key settle:<job_id>)
--
--   → one row (applied boolean, status text, refunded bigint, charged_credits bigint):
--     applied   true when (current → p_to) is a transition: status set, fields written,
--               updated_at (and finished_at when terminal) set, a job_event appended
--     status    the status after the call (the winner's, when another path got there first);
--               null when the job does not exist
--     refunded  credits given back now: entering a refund status (failed, cancelled, timed_out,
--               error) refunds the reservation, once per job whoever calls (ledger key
--               refund:<job_id>); a settlement gives back what p_charged leaves; 0 otherwise
--     charged_credits  what the job cost once it has ended (job_charged_credits); null while open
drop function if exists public.transition_job(uuid, text, jsonb, jsonb, integer, jsonb);
create or replace function public.transition_job(
  p_job_id uuid, p_to text, p_detail jsonb, p_fields jsonb,
  p_idem_response_status integer, p_idem_response_body jsonb, p_charged bigint default null
) returns table (applied boolean, status text, refunded bigint, charged_credits bigint)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_job public.jobs%rowtype;
  v_to public.job_statuses%rowtype;
  v_applied boolean := false;
  v_refunded bigint := 0;
begin
  select * into v_to from public.job_statuses s where s.status = p_to;
  if not found then
    raise exception using errcode = '22023', message = format('invalid_request: unknown job status %L', p_to);
  end if;

  perform public._job_fields(p_fields);

  select * into v_job from public.jobs j where j.id = p_job_id for update;
  if not found then
    return query select false, null::text, 0::bigint, null::bigint;
    return;
  end if;

  if exists (select 1 from public.job_transitions t
             where t.from_status = v_job.status and t.to_status = p_to) then
    perform public._job_update(p_job_id, p_to, v_to.terminal, p_fields);
    insert into public.job_events (job_id, from_status, to_status, detail)
    values (p_job_id, v_job.status, p_to, p_detail);
    if v_to.refund then
      v_refunded := public._credit_refund_job(p_job_id, v_job.user_id, 'job ' || p_to);
    elsif v_to.terminal and p_charged is not null then
      v_refunded := public._credit_settle_job(p_job_id, v_job.user_id, p_charged);
    end if;
    v_applied := true;
    v_job.status := p_to;
  end if;

  if p_idem_response_status is not null then
    perform public._idempotency_answered(p_job_id, p_idem_response_status, p_idem_response_body);
  end if;

  return query select v_applied, v_job.status, v_refunded, public.job_charged_credits(p_job_id, v_job.status);
end
$$;

-- update_job_fields: writes fields without a transition (a poll's fresh provider status while
-- the job runs, outputs copied to R2 after completion), and bumps updated_at (the cron sweep's
-- "last looked at"). Any status, terminal included.
--
--   select updated, status from public.update_job_fields($1::uuid, $2::jsonb)
--   p_fields as in transition_job ('{}' only bumps updated_at).
--   → one row (updated boolean, status text); (false, null) when the job does not exist.
create or replace function public.update_job_fields(p_job_id uuid, p_fields jsonb)
returns table (updated boolean, status text)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_status text;
begin
  perform public._job_fields(p_fields);
  select j.status into v_status from public.jobs j where j.id = p_job_id for update;
  if not found then
    return query select false, null::text;
    return;
  end if;
  perform public._job_update(p_job_id, null, false, p_fields);
  return query select true, v_status;
end
$$;

-- refund_job: gives a job's reservation back, exactly once per job whoever calls (shares the
-- ledger key refund:<job_id> with transition_job), whatever the job's status (an admin may
-- refund a completed job). Does not change the status.
--
--   select public.refund_job($1::uuid, $2::text) as refunded
--   → bigint: credits refunded now; 0 when already refunded, free (admin or price 0) or unknown.
create or replace function public.refund_job(p_job_id uuid, p_reason text)
returns bigint
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  v_user uuid;
begin
  select j.user_id into v_user from public.jobs j where j.id = p_job_id for update;
  if not found then
    return 0;
  end if;
  return public._credit_refund_job(p_job_id, v_user, coalesce(p_reason, 'job refund'));
end
$$;

-- prune_idempotency_keys: the cron's cleanup. Deletes keys created before now() - p_older_than
-- (running ones included: their request died).
--
--   select public.prune_idempotency_keys($1::interval) as deleted     -- e.g. '24 hours'
--   → integer: rows deleted.
create or replace function public.prune_idempotency_keys(p_older_than interval)
returns integer
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  v_count integer;
begin
  if p_older_than is null or p_older_than < interval '0' then
    raise exception using errcode = '22023', message = 'invalid_request: interval must be ≥ 0';
  end if;
  delete from public.idempotency_keys k where k.created_at < now() - p_older_than;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

-- A new job remembers its model's endpoint and content type (jobs.provider_endpoint_id,
-- jobs.content_type): later changes to the model do not change the job.
drop trigger if exists jobs_capture_endpoint on public.jobs;
drop function if exists public.jobs_capture_endpoint();
create or replace function public.jobs_capture_model() returns trigger
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_model public.models%rowtype;
begin
  select * into v_model from public.models m where m.id = new.model;
  if found then
    new.provider_endpoint_id := coalesce(new.provider_endpoint_id, v_model.endpoint_id);
    new.content_type := coalesce(new.content_type, v_model.content_type);
  end if;
  return new;
end
$$;

create or replace trigger jobs_capture_model
  before insert on public.jobs
  for each row execute function public.jobs_capture_model();

-- record_job_attempt: a submission its provider refused, kept as a job_event that changes no
-- status (from = to = the job's status), so the job's history shows every attempt.
--
--   select public.record_job_attempt($1::uuid, $2::jsonb)   → true when the job exists
create or replace function public.record_job_attempt(p_job_id uuid, p_detail jsonb) returns boolean
language plpgsql security definer set search_path = public, pg_temp
as $$
begin
  insert into public.job_events (job_id, from_status, to_status, detail)
  select j.id, j.status, j.status, p_detail from public.jobs j where j.id = p_job_id;
  return found;
end
$$;

-- enqueue_job: the job's message is on the Queue (or about to be): marks it so the sweep leaves it
-- to the consumer, and stores the POST /jobs answer for Idempotency-Key replays, as
-- transition_job does.
--
--   select public.enqueue_job($1::uuid, $2::integer, $3::jsonb)   → true when the job is queued
create or replace function public.enqueue_job(p_job_id uuid, p_response_status integer, p_response_body jsonb)
returns boolean
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  v_queued boolean;
begin
  update public.jobs j set enqueued_at = now(), updated_at = now()
  where j.id = p_job_id and j.status = 'queued';
  v_queued := found;
  perform public._idempotency_answered(p_job_id, p_response_status, p_response_body);
  return v_queued;
end
$$;

-- claim_queued_job: the Queue consumer takes a job: queued → submitted, with a fresh callback
-- token hash, in one transaction. Only a job whose message was sent is claimed, and the message
-- goes out before enqueue_job marks the job (a send that fails must leave no mark), so the
-- claim does not wait for the mark. The Queue delivers at least once: a message whose job was
-- claimed, cancelled or timed out meanwhile claims nothing.
--
--   select claimed from public.claim_queued_job($1::uuid, $2::text)
create or replace function public.claim_queued_job(p_job_id uuid, p_webhook_token_hash text)
returns table (claimed boolean)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_status text;
begin
  select j.status into v_status from public.jobs j where j.id = p_job_id for update;
  if v_status is distinct from 'queued' then
    return query select false;
    return;
  end if;
  return query select t.applied from public.transition_job(
    p_job_id, 'submitted', jsonb_build_object('source', 'queue'),
    jsonb_build_object('webhook_token_hash', p_webhook_token_hash), null, null) t;
end
$$;

-- retry_job: a generation its provider reported failed (provider job p_provider_job_id) runs
-- again when its model allows another attempt: the job goes back to queued, on the Queue, its
-- provider job forgotten, attempts + 1, with a job_event (p_detail). Under the row lock, so of a
-- webhook, a poll and the sweep seeing the same failure, one retries and the others find the
-- provider job changed. false: no attempt left, the job past its deadline, or not that provider
-- job: the caller fails the job as usual, which refunds it.
--
--   select public.retry_job($1::uuid, $2::text, $3::jsonb) as retried
create or replace function public.retry_job(p_job_id uuid, p_provider_job_id text, p_detail jsonb)
returns boolean
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  v_job public.jobs%rowtype;
  v_max integer;
begin
  select * into v_job from public.jobs j where j.id = p_job_id for update;
  if not found or v_job.status not in ('submitted', 'running')
     or v_job.provider_job_id is distinct from p_provider_job_id or v_job.deadline_at <= now() then
    return false;
  end if;
  select m.max_attempts into v_max from public.models m where m.id = v_job.model;
  if v_job.attempts >= coalesce(v_max, 1) then
    return false;
  end if;
  update public.jobs j set status = 'queued', attempts = j.attempts + 1, provider_job_id = null,
    enqueued_at = now(), updated_at = now()
  where j.id = p_job_id;
  insert into public.job_events (job_id, from_status, to_status, detail)
  values (p_job_id, v_job.status, 'queued', p_detail || jsonb_build_object('attempt', v_job.attempts + 1));
  return true;
end
$$;

select public._function_access('owner',
  'public._job_fields(jsonb)',
  'public._job_update(uuid, text, boolean, jsonb)',
  'public._idempotency_answered(uuid, integer, jsonb)',
  'public.jobs_capture_model()');
select public._function_access('api',
  'public.create_job(uuid, text, jsonb, integer, integer, text, text, text, integer, text, interval, text[], integer, bigint, integer)',
  'public.transition_job(uuid, text, jsonb, jsonb, integer, jsonb, bigint)',
  'public.update_job_fields(uuid, jsonb)',
  'public.record_job_attempt(uuid, jsonb)',
  'public.enqueue_job(uuid, integer, jsonb)',
  'public.claim_queued_job(uuid, text)',
  'public.retry_job(uuid, text, jsonb)',
  'public.refund_job(uuid, text)',
  'public.prune_idempotency_keys(interval)');
