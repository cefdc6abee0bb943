-- Job webhooks (the deliveries of migrations/0004_job_webhooks.sql): queued by a trigger in the
-- transaction that makes a job terminal, so no finished job can miss its webhook whichever path
-- finished it; claimed, sent and recorded by the Worker. Re-applied by scripts/migrate.mjs
-- whenever this file changes: edit a function in place.

-- A job with a string payload.webhook_url entering a terminal status queues its delivery.
create or replace function public.jobs_enqueue_webhook() returns trigger
language plpgsql set search_path = public, pg_temp
as $$
begin
  if new.status is distinct from old.status
     and jsonb_typeof(new.payload -> 'webhook_url') = 'string'
     and exists (select 1 from public.job_statuses s where s.status = new.status and s.terminal) then
    insert into public.job_webhook_deliveries (job_id, url, event_type, next_attempt_at)
    values (new.id, new.payload ->> 'webhook_url', 'job.' || new.status, now())
    on conflict (job_id) do nothing;
  end if;
  return null;
end
$$;

create or replace trigger jobs_enqueue_webhook
  after update of status on public.jobs
  for each row execute function public.jobs_enqueue_webhook();

-- claim_job_webhooks: deliveries that are due (all of them, or one job's), leased so that
-- concurrent senders (the job's own follow-up and the cron sweep) never send the same attempt
-- twice. A sender that dies holding a lease is replaced once the lease runs out.
--
--   select * from public.claim_job_webhooks($1::uuid, $2::integer)
--   p_job_id  null = any job
--   → the delivery (delivery_id, event_type, url, attempt: 1 for the first) and the job's
--     columns as find_job reads them
drop function if exists public.claim_job_webhooks(uuid, integer, interval);
create or replace function public.claim_job_webhooks(
  p_job_id uuid, p_limit integer, p_lease interval default interval '2 minutes'
) returns table (
  delivery_id uuid, event_type text, url text, attempt integer,
  id uuid, user_id uuid, status text, model text, cost_credits integer, charged_credits bigint, provider text,
  provider_job_id text, result jsonb, error jsonb, outputs jsonb,
  created_at timestamptz, updated_at timestamptz, finished_at timestamptz
)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
begin
  return query
  with due as (
    select d.id from public.job_webhook_deliveries d
    where d.next_attempt_at <= now() and (p_job_id is null or d.job_id = p_job_id)
    order by d.next_attempt_at
    limit greatest(coalesce(p_limit, 0), 0)
    for update skip locked
  ), claimed as (
    update public.job_webhook_deliveries d
    set attempts = d.attempts + 1, next_attempt_at = now() + p_lease
    from due where d.id = due.id
    returning d.id, d.job_id, d.event_type, d.url, d.attempts
  )
  select c.id, c.event_type, c.url, c.attempts,
         j.id, j.user_id, j.status, j.model, j.cost_credits, public.job_charged_credits(j.id, j.status),
         j.provider, j.provider_job_id,
         j.result, j.error, j.outputs, j.created_at, j.updated_at, j.finished_at
  from claimed c join public.jobs j on j.id = c.job_id;
end
$$;

-- record_job_webhook: the outcome of one attempt, kept as a job_webhook_attempts row. 2xx =
-- delivered; 410 = the receiver asks us to stop; anything else is retried on the Standard
-- Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h after the attempts;
-- later if the receiver's Retry-After says so), then given up after the tenth attempt.
--
--   select delivered, retry_in_s
--   from public.record_job_webhook($1::uuid, $2::integer, $3::text, $4::integer, $5::integer, $6::integer)
--   p_http_status  0 when no answer came (p_error says why); p_retry_after_s null = none
--   p_latency_ms   from sending to the answer; p_attempt the claimed attempt (null: the latest)
--   → one row (delivered, next_attempt_at, retry_in_s: whole seconds from now until that retry,
--     rounded up, so a message delayed that long finds it due), none for an unknown delivery
drop function if exists public.record_job_webhook(uuid, integer, text, integer);
create or replace function public.record_job_webhook(
  p_delivery_id uuid, p_http_status integer, p_error text, p_retry_after_s integer,
  p_latency_ms integer default null, p_attempt integer default null
) returns table (delivered boolean, next_attempt_at timestamptz, retry_in_s integer)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_schedule constant interval[] := array['5 seconds', '5 minutes', '30 minutes', '2 hours', '5 hours',
                                          '10 hours', '14 hours', '20 hours', '24 hours']::interval[];
  v_attempts integer;
  v_delivered boolean := p_http_status between 200 and 299;
  v_error text;
  v_next timestamptz;
begin
  select d.attempts into v_attempts from public.job_webhook_deliveries d
  where d.id = p_delivery_id for update;
  if not found then
    return;
  end if;
  if not v_delivered and p_http_status <> 410 and v_attempts <= array_length(v_schedule, 1) then
    v_next := now() + greatest(v_schedule[greatest(v_attempts, 1)],
                               make_interval(secs => least(greatest(coalesce(p_retry_after_s, 0), 0), 86400)));
  end if;
  v_error := case when v_delivered then null
                  when p_http_status = 410 then 'receiver answered 410 Gone'
                  else left(p_error, 500) end;
  update public.job_webhook_deliveries d
  set next_attempt_at = v_next,
      last_status = p_http_status,
      last_error = v_error,
      delivered_at = case when v_delivered then now() else d.delivered_at end
  where d.id = p_delivery_id;
  insert into public.job_webhook_attempts (delivery_id, attempt, status_code, latency_ms, error, next_attempt_at)
  values (p_delivery_id, greatest(coalesce(p_attempt, v_attempts), 1), p_http_status,
          greatest(p_latency_ms, 0), v_error, v_next);
  return query select v_delivered, v_next, ceil(extract(epoch from v_next - now()))::integer;
end
$$;

-- list_job_webhook_deliveries: GET /webhooks/deliveries. The deliveries of p_user's jobs (null:
-- the admin's own jobs, which have no user), newest first, after the cursor's (created_at, id),
-- each with its attempts oldest first as JSON (times as ISO 8601 UTC, milliseconds, like the API).
--   select * from public.list_job_webhook_deliveries($1::uuid, $2::uuid, $3::timestamptz, $4::uuid, $5::integer)
--   p_delivery_id  one delivery only (null: any); position = created_at in Postgres' own text
create or replace function public.list_job_webhook_deliveries(
  p_user uuid, p_delivery_id uuid, p_after_created_at timestamptz, p_after_id uuid, p_limit integer
) returns table (
  id uuid, job_id uuid, event_type text, url text, attempts integer, next_attempt_at timestamptz,
  last_status integer, delivered_at timestamptz, created_at timestamptz, "position" text, attempt_log jsonb
)
language sql stable security definer set search_path = public, pg_temp
as $$
  select d.id, d.job_id, d.event_type, d.url, d.attempts, d.next_attempt_at, d.last_status, d.delivered_at,
         d.created_at, d.created_at::text,
         coalesce((select jsonb_agg(jsonb_build_object(
                             'attempt', a.attempt, 'status_code', a.status_code, 'latency_ms', a.latency_ms,
                             'error', a.error,
                             'at', to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                             'next_retry_at', to_char(a.next_attempt_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                           order by a.id)
                   from public.job_webhook_attempts a where a.delivery_id = d.id), '[]'::jsonb)
  from public.job_webhook_deliveries d
  join public.jobs j on j.id = d.job_id
  where (j.user_id = p_user or (p_user is null and j.user_id is null))
    and (p_delivery_id is null or d.id = p_delivery_id)
    and (p_after_created_at is null or (d.created_at, d.id) < (p_after_created_at, p_after_id))
  order by d.created_at desc, d.id desc
  limit greatest(coalesce(p_limit, 0), 0)
$$;

-- redeliver_job_webhook: POST /webhooks/deliveries/:id/redeliver. Makes p_user's delivery (null:
-- the admin's) due now, whatever its state: a delivered or given-up one is re-armed for one more
-- attempt (retried on the schedule after it only while it has attempts left). The webhook-id
-- stays the same, so receivers deduplicate.
--   select job_id from public.redeliver_job_webhook($1::uuid, $2::uuid)
--   → the delivery's job, or no row for an unknown delivery or another owner's
create or replace function public.redeliver_job_webhook(p_user uuid, p_delivery_id uuid)
returns table (job_id uuid)
language sql security definer set search_path = public, pg_temp
as $$
  update public.job_webhook_deliveries d
  set next_attempt_at = now(), delivered_at = null
  from public.jobs j
  where d.id = p_delivery_id and j.id = d.job_id
    and (j.user_id = p_user or (p_user is null and j.user_id is null))
  returning d.job_id
$$;

select public._function_access('owner', 'public.jobs_enqueue_webhook()');
select public._function_access('api',
  'public.claim_job_webhooks(uuid, integer, interval)',
  'public.record_job_webhook(uuid, integer, text, integer, integer, integer)',
  'public.list_job_webhook_deliveries(uuid, uuid, timestamptz, uuid, integer)',
  'public.redeliver_job_webhook(uuid, uuid)');
