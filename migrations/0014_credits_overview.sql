-- credits_overview: GET /credits in one statement, so one round trip to the database (issue 27):
-- the balance, granting the welcome credits first exactly as user_credits does, then the newest
-- ledger entries, which include that grant (one plpgsql call: its second statement sees the
-- first one's writes, where two parts of one SQL statement would not).
--   select balance, id, delta, kind, reason, job_id, created_at
--   from public.credits_overview($1::uuid, $2::integer, $3::integer)
--   → the balance on every row; one row per entry (newest first, at most p_limit), or one row
--     with a null id when the user has no entry. Idempotent.
create or replace function public.credits_overview(p_user uuid, p_welcome_credits integer, p_limit integer)
returns table (balance bigint, id bigint, delta bigint, kind text, reason text, job_id uuid, created_at timestamptz)
language plpgsql
security definer
set search_path = public, pg_temp
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

-- As 0005 does for the other money functions: the API role and service_role only.
revoke all on function public.credits_overview(uuid, integer, integer) from public, anon, authenticated;
grant execute on function public.credits_overview(uuid, integer, integer) to alphogen_api, service_role;
