-- Jobs priced by what they ask (issue 23, docs/models.md): a model declares its inputs
-- (input_schema, a JSON Schema subset; null = a required prompt and nothing else), the names
-- its provider gives them (input_map; null = ours), and its price from them (pricing). The core
-- checks all three when the admin API writes them (src/inputs) and prices every job with them;
-- SQL stores them and reserves the price the core computed.
--
-- revision counts the model's changes: create_job refuses a price computed from another
-- revision than the row's (the core's copy of the models is cached), so no job is charged by
-- a pricing that has been replaced.
alter table public.models add column if not exists input_schema jsonb
  check (input_schema is null or jsonb_typeof(input_schema) = 'object');
alter table public.models add column if not exists input_map jsonb
  check (input_map is null or jsonb_typeof(input_map) = 'object');
alter table public.models add column if not exists pricing jsonb not null default '{"base": 0}'
  check (jsonb_typeof(pricing) = 'object');
alter table public.models add column if not exists revision bigint not null default 1;

-- Today's flat prices become pricing.base.
do $$
begin
  if exists (select 1 from information_schema.columns
             where table_schema = 'public' and table_name = 'models' and column_name = 'cost_credits') then
    execute 'update public.models set pricing = jsonb_build_object(''base'', cost_credits)';
    alter table public.models drop column cost_credits;
  end if;
end
$$;
