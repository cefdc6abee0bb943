-- Development only: the local models declare their inputs and prices like any other (issue 23,
-- docs/models.md), so estimate → create → download works on scripts/dev. Every local model
-- takes a prompt and `steps` (how many progress steps the local generation server takes,
-- scripts/local-gen); text is priced by the prompt's length, video by its steps, and at their
-- defaults each costs what it did before prices followed inputs.

with inputs (schema) as (
  select '{"type": "object", "required": ["prompt"], "additionalProperties": false,
           "properties": {
             "prompt": {"type": "string", "minLength": 1, "maxLength": 4000},
             "steps": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 6,
                       "description": "progress steps of the local generation server"}}}'::jsonb
)
update public.models m
set input_schema = inputs.schema,
    pricing = case m.id
      when 'local-text' then '{"base": 0, "per_1000_characters": {"prompt": 1}}'::jsonb
      when 'local-video' then '{"base": 0.5, "per": {"steps": 0.25}}'::jsonb
      else '{"base": 1}'::jsonb
    end,
    revision = m.revision + 1
from inputs
where m.id in ('local-text', 'local-image', 'local-audio', 'local-video');
