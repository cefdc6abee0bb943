-- Who may do what, and the two helpers the other files say it with.
--
-- alphogen_api: the Worker's database role (NOLOGIN). Production login users are made members:
--   create role alphogen_worker login password '...' in role alphogen_api;
-- and the Hyperdrive connection string names alphogen_worker. It may execute the money and job
-- functions, read, and append to events; it can write no money table (credit_balances,
-- credit_ledger, idempotency_keys) nor jobs directly: the functions (SECURITY DEFINER, owned
-- by the migration owner, which bypasses RLS on its own tables) do that.
--
-- Supabase clients (role authenticated, auth.uid()) read their own balance, ledger, jobs, job
-- events, customer, subscriptions and uploads, and anyone reads the enabled models and catalog.
-- service_role: full access. Supabase's default privileges give every new table and function
-- in public to anon and authenticated (and Postgres gives functions to PUBLIC): each file takes
-- back what its objects should not give.

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

-- _enable_rls: enables Row Level Security on each table of a list and (re)creates the standard
-- policies named, each named after its table:
--   'service_role'  "service_role_all_<table>"   service_role may do anything
--   'api_read'      "api_read_<table>"           alphogen_api reads every row (it serves every
--                                                user and the admin)
--   'owner_read'    "<table>_owner_can_read"     a signed-in user reads the rows whose user_id
--                                                is theirs
-- With none, Supabase clients see no row; the Worker reads through the functions.
--   select public._enable_rls('{public.credit_balances, public.credit_ledger}', 'owner_read', 'service_role');
create or replace function public._enable_rls(p_tables regclass[], variadic p_policies text[] default '{}')
returns void
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_table regclass;
  v_kind text;
  v_name text;
  v_rule text;
begin
  foreach v_table in array p_tables loop
    execute format('alter table %s enable row level security', v_table);
    foreach v_kind in array p_policies loop
      select p.name, p.rule into v_name, v_rule
      from (select c.relname::text as t from pg_class c where c.oid = v_table) as r,
      lateral (values
        ('service_role', 'service_role_all_' || r.t, 'for all using (auth.role() = ''service_role'')'),
        ('api_read', 'api_read_' || r.t, 'for select to alphogen_api using (true)'),
        ('owner_read', r.t || '_owner_can_read', 'for select to authenticated using (auth.uid() = user_id)')
      ) as p (kind, name, rule)
      where p.kind = v_kind;
      if not found then
        raise exception using errcode = '22023', message = format('invalid_request: no standard policy %L', v_kind);
      end if;
      execute format('drop policy if exists %I on %s', v_name, v_table);
      execute format('create policy %I on %s %s', v_name, v_table, v_rule);
    end loop;
  end loop;
end
$$;

-- _function_access: who may call functions. 'api': alphogen_api and service_role (the functions
-- the Worker calls); 'owner': nobody but their owner (helpers and trigger functions).
--   select public._function_access('api', 'public.refund_job(uuid, text)', ...);
create or replace function public._function_access(p_callers text, variadic p_functions regprocedure[])
returns void
language plpgsql set search_path = public, pg_temp
as $$
declare
  v_function regprocedure;
begin
  if p_callers is null or p_callers not in ('api', 'owner') then
    raise exception using errcode = '22023', message = format('invalid_request: callers %L (api or owner)', p_callers);
  end if;
  foreach v_function in array p_functions loop
    execute format('revoke all on function %s from public, anon, authenticated', v_function);
    if p_callers = 'api' then
      execute format('grant execute on function %s to alphogen_api, service_role', v_function);
    else
      execute format('revoke all on function %s from service_role', v_function);
    end if;
  end loop;
end
$$;

select public._function_access('owner',
  'public._enable_rls(regclass[], text[])',
  'public._function_access(text, regprocedure[])');
