create or replace view stg_quotes as
select article_id, kind, "start" as start_offset, "end" as end_offset, text, speaker,
       coalesce(speaker_role, 'other') as speaker_role, verb, coalesce(verb_class, 'neutral') as verb_class,
       coalesce(side, 'unknown') as side
from quotes
