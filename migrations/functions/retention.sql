-- Retention: the cron sweep deletes, a bounded batch per run, the files of jobs that finished
-- more than OUTPUT_RETENTION_DAYS ago, and job events older than 90 days. A job whose files are
-- gone keeps its outputs list, each stored entry marked with "deleted_at". Re-applied by
-- scripts/migrate.mjs whenever this file changes: edit a function in place.
--
--   select id, keys from public.jobs_with_expired_outputs($1::integer, $2::integer)
--   select public.expire_job_outputs($1::jsonb) as expired
--   select public.prune_job_events($1::interval, $2::integer) as deleted

-- jobs_with_expired_outputs: up to p_limit jobs finished more than p_days ago whose files are
-- still stored, with the R2 keys of those files.
create or replace function public.jobs_with_expired_outputs(p_days integer, p_limit integer)
returns table (id uuid, keys text[])
language sql stable security definer set search_path = public, pg_temp
as $$
  select j.id, array(select e ->> 'key' from jsonb_array_elements(j.outputs) e where jsonb_typeof(e -> 'key') = 'string')
  from public.jobs j
  where j.outputs_deleted_at is null and j.outputs is not null
    and j.finished_at < now() - make_interval(days => p_days)
  order by j.finished_at
  limit p_limit
$$;

-- expire_job_outputs: the files of the jobs p_jobs (a JSON array of ids) are deleted from R2.
-- → how many jobs were marked now.
create or replace function public.expire_job_outputs(p_jobs jsonb) returns integer
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  v_marked integer;
begin
  update public.jobs j
  set outputs_deleted_at = now(),
      outputs = coalesce((
        select jsonb_agg(case when e ? 'key' then e || jsonb_build_object('deleted_at', now()) else e end order by n)
        from jsonb_array_elements(j.outputs) with ordinality as o (e, n)), '[]'::jsonb)
  where j.id in (select (x #>> '{}')::uuid from jsonb_array_elements(p_jobs) x)
    and j.outputs_deleted_at is null;
  get diagnostics v_marked = row_count;
  return v_marked;
end
$$;

-- prune_job_events: deletes up to p_limit job events older than p_age, oldest first.
create or replace function public.prune_job_events(p_age interval, p_limit integer) returns integer
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  v_deleted integer;
begin
  delete from public.job_events e
  where e.id in (select o.id from public.job_events o where o.created_at < now() - p_age order by o.created_at limit p_limit);
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;

select public._function_access('api',
  'public.jobs_with_expired_outputs(integer, integer)',
  'public.expire_job_outputs(jsonb)',
  'public.prune_job_events(interval, integer)');
