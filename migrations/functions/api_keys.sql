-- API keys (the table of migrations/0011_api_keys.sql). Re-applied by scripts/migrate.mjs
-- whenever this file changes: edit a function in place.
--
--   select outcome, id, name, prefix, created_at
--     from public.create_api_key($1::uuid, $2::text, $3::text, $4::text, $5::integer)
--   select id, name, prefix, created_at, last_used_at from public.list_api_keys($1::uuid)
--   select public.revoke_api_key($1::uuid, $2::uuid) as revoked
--   select id, user_id from public.api_key_caller($1::text)

-- create_api_key: a new key of p_user's, unless they already hold p_max active keys.
--   → one row: outcome 'created' with the key's id, name, prefix and created_at, or
--     'too_many_keys' with nulls.
create or replace function public.create_api_key(
  p_user uuid, p_name text, p_prefix text, p_secret_hash text, p_max integer
) returns table (outcome text, id uuid, name text, prefix text, created_at timestamptz)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
begin
  if p_user is null or p_secret_hash is null then
    raise exception using errcode = '22023', message = 'invalid_request: user and secret hash are required';
  end if;
  -- NOTE: one user's creations queue here, so two at once never both take the last place.
  perform pg_advisory_xact_lock(hashtextextended('api_keys:' || p_user::text, 0));
  if (select count(*) from public.api_keys k where k.user_id = p_user and k.revoked_at is null) >= p_max then
    return query select 'too_many_keys'::text, null::uuid, null::text, null::text, null::timestamptz;
    return;
  end if;
  return query
    insert into public.api_keys as k (user_id, name, prefix, secret_hash)
    values (p_user, p_name, p_prefix, p_secret_hash)
    returning 'created'::text, k.id, k.name, k.prefix, k.created_at;
end
$$;

-- list_api_keys: p_user's active keys, newest first.
create or replace function public.list_api_keys(p_user uuid)
returns table (id uuid, name text, prefix text, created_at timestamptz, last_used_at timestamptz)
language sql stable security definer set search_path = public, pg_temp
as $$
  select k.id, k.name, k.prefix, k.created_at, k.last_used_at from public.api_keys k
  where k.user_id = p_user and k.revoked_at is null
  order by k.created_at desc, k.id desc
$$;

-- revoke_api_key: → true when p_user's active key p_id is revoked now; false when there is
-- no such key (another user's, unknown, or revoked before).
create or replace function public.revoke_api_key(p_user uuid, p_id uuid)
returns boolean
language sql security definer set search_path = public, pg_temp
as $$
  with revoked as (
    update public.api_keys k set revoked_at = now()
    where k.id = p_id and k.user_id = p_user and k.revoked_at is null
    returning 1
  )
  select exists (select 1 from revoked)
$$;

-- api_key_caller: the active key whose secret hashes to p_secret_hash (no row otherwise), its
-- use recorded. The core caches the answer for a minute, so last_used_at is as fresh as that.
create or replace function public.api_key_caller(p_secret_hash text)
returns table (id uuid, user_id uuid)
language sql security definer set search_path = public, pg_temp
as $$
  update public.api_keys k set last_used_at = now()
  where k.secret_hash = p_secret_hash and k.revoked_at is null
  returning k.id, k.user_id
$$;

select public._function_access('api',
  'public.create_api_key(uuid, text, text, text, integer)',
  'public.list_api_keys(uuid)',
  'public.revoke_api_key(uuid, uuid)',
  'public.api_key_caller(text)');
