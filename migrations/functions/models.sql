-- The models a job can name, managed by the admin API (PUT/DELETE /admin/models/:id) without
-- SQL. The rule kept here: exactly one enabled model is the default. Making a model the default
-- takes the mark from the one before, in the same transaction; the default cannot be disabled,
-- nor stop being the default, until another is made the default. Jobs keep their model's id
-- whatever later happens to the model.
--
-- Errors: 22023 'invalid_request: ...' for bad arguments (functions/credits.sql's convention).

-- put_model: creates or replaces model p_id.
--
--   select outcome, created, model from public.put_model($1::text, $2::text, $3::text, $4::text,
--                                                         $5::jsonb, $6::boolean, $7::boolean, $8::text,
--                                                         $9::text, $10::integer, $11::jsonb, $12::jsonb)
--
--   p_pricing, p_input_schema, p_input_map as the core checked them (src/inputs); every save
--   counts one more revision (create_job refuses prices computed from an older one).
--
--   → 'saved', created (true: it is new), model (the row as JSON)
--   → 'invalid_fallback', false, null: the fallback is the model itself, does not exist, or
--     makes another content type; or a model falling back to this one makes another
--   → 'default_required', false, the row unchanged: the model is the default and the document
--     would disable it or take its mark
drop function if exists public.put_model(text, text, text, text, integer, boolean, boolean, text);
drop function if exists public.put_model(text, text, text, text, integer, boolean, boolean, text, text);
drop function if exists public.put_model(text, text, text, text, integer, boolean, boolean, text, text, integer);
create or replace function public.put_model(
  p_id text, p_provider text, p_provider_model text, p_content_type text, p_pricing jsonb,
  p_enabled boolean, p_default boolean, p_endpoint_id text, p_fallback_model text, p_max_attempts integer,
  p_input_schema jsonb, p_input_map jsonb
) returns table (outcome text, created boolean, model jsonb)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_old public.models%rowtype;
  v_row public.models%rowtype;
begin
  if p_default and not p_enabled then
    raise exception using errcode = '22023', message = 'invalid_request: the default model must be enabled';
  end if;
  -- One writer at a time: two models made default at once must not both lose the mark.
  lock table public.models in share row exclusive mode;
  select * into v_old from public.models m where m.id = p_id;
  if found and v_old.is_default and not p_default then
    return query select 'default_required'::text, false, to_jsonb(v_old);
    return;
  end if;
  if p_fallback_model = p_id
     or (p_fallback_model is not null and not exists (
           select 1 from public.models f where f.id = p_fallback_model and f.content_type = p_content_type))
     or exists (select 1 from public.models o where o.fallback_model = p_id and o.content_type <> p_content_type) then
    return query select 'invalid_fallback'::text, false, null::jsonb;
    return;
  end if;
  if p_default then
    update public.models m set is_default = false, revision = m.revision + 1 where m.is_default and m.id <> p_id;
  end if;
  insert into public.models as m (id, provider, provider_model, content_type, pricing, enabled, is_default,
                                  endpoint_id, fallback_model, max_attempts, input_schema, input_map)
  values (p_id, p_provider, p_provider_model, p_content_type, p_pricing, p_enabled, p_default, p_endpoint_id,
          p_fallback_model, p_max_attempts, p_input_schema, p_input_map)
  on conflict (id) do update set
    provider = excluded.provider, provider_model = excluded.provider_model, content_type = excluded.content_type,
    pricing = excluded.pricing, enabled = excluded.enabled, is_default = excluded.is_default,
    endpoint_id = excluded.endpoint_id, fallback_model = excluded.fallback_model,
    max_attempts = excluded.max_attempts, input_schema = excluded.input_schema, input_map = excluded.input_map,
    revision = m.revision + 1
  returning * into v_row;
  return query select 'saved'::text, v_old.id is null, to_jsonb(v_row);
end
$$;

-- disable_model: DELETE /admin/models/:id. Jobs keep naming it; GET /models stops showing it.
--
--   → 'disabled', model (also when it already was) | 'not_found', null |
--     'default_required', model (the default cannot be disabled)
create or replace function public.disable_model(p_id text) returns table (outcome text, model jsonb)
language plpgsql security definer set search_path = public, pg_temp
as $$
#variable_conflict use_column
declare
  v_row public.models%rowtype;
begin
  lock table public.models in share row exclusive mode;
  select * into v_row from public.models m where m.id = p_id;
  if not found then
    return query select 'not_found'::text, null::jsonb;
    return;
  end if;
  if v_row.is_default then
    return query select 'default_required'::text, to_jsonb(v_row);
    return;
  end if;
  update public.models m set enabled = false, revision = m.revision + 1 where m.id = p_id returning * into v_row;
  return query select 'disabled'::text, to_jsonb(v_row);
end
$$;

select public._function_access('api',
  'public.put_model(text, text, text, text, jsonb, boolean, boolean, text, text, integer, jsonb, jsonb)',
  'public.disable_model(text)');
