-- Upload storage per user (the tables of migrations/0006_uploads.sql). Re-applied by
-- scripts/migrate.mjs whenever this file changes: edit a function in place.
--
--   select reservation, used from public.reserve_upload($1::uuid, $2::text, $3::bigint, $4::bigint)
--   select public.finish_upload($1::uuid, $2::uuid, $3::text, $4::bigint)
--   select public.forget_upload($1::text)

-- reserve_upload: room for p_bytes at p_key. `used` is what the user's uploads take now,
-- stored and reserved, without the object p_key holds (the upload replaces it). With
-- p_quota null (admin) nothing is refused. → reservation null when used + p_bytes > p_quota.
create or replace function public.reserve_upload(p_user uuid, p_key text, p_bytes bigint, p_quota bigint)
returns table (reservation uuid, used bigint)
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  v_used bigint;
  v_id uuid;
begin
  if p_user is null or p_key is null or p_bytes is null or p_bytes < 0 or p_quota < 0 then
    raise exception using errcode = '22023', message = 'invalid_request: user, key and a size >= 0 are required';
  end if;
  -- NOTE: one user's reservations queue here, so two uploads never both take the last room.
  perform pg_advisory_xact_lock(hashtextextended('uploads:' || p_user::text, 0));
  delete from public.upload_reservations r where r.user_id = p_user and r.expires_at < now();
  v_used := coalesce((select sum(u.bytes) from public.user_uploads u where u.user_id = p_user and u.key <> p_key), 0)
          + coalesce((select sum(r.bytes) from public.upload_reservations r where r.user_id = p_user), 0);
  if p_quota is not null and v_used + p_bytes > p_quota then
    return query select null::uuid, v_used;
    return;
  end if;
  insert into public.upload_reservations (user_id, key, bytes, expires_at)
  values (p_user, p_key, p_bytes, now() + interval '1 hour')
  returning id into v_id;
  return query select v_id, v_used;
end
$$;

-- finish_upload: ends a reservation; p_stored_bytes is the size stored at p_key (it replaces
-- what the key held), or null when nothing was stored.
create or replace function public.finish_upload(p_reservation uuid, p_user uuid, p_key text, p_stored_bytes bigint)
returns void
language plpgsql security definer set search_path = public, pg_temp
as $$
begin
  delete from public.upload_reservations r where r.id = p_reservation;
  if p_stored_bytes is null then
    return;
  end if;
  insert into public.user_uploads as u (key, user_id, bytes) values (p_key, p_user, p_stored_bytes)
  on conflict (key) do update set user_id = excluded.user_id, bytes = excluded.bytes, updated_at = now();
end
$$;

-- forget_upload: the object at p_key was deleted.
create or replace function public.forget_upload(p_key text) returns void
language sql security definer set search_path = public, pg_temp
as $$
  delete from public.user_uploads u where u.key = p_key
$$;

select public._function_access('api',
  'public.reserve_upload(uuid, text, bigint, bigint)',
  'public.finish_upload(uuid, uuid, text, bigint)',
  'public.forget_upload(text)');
