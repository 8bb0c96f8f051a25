create or replace view stg_figures as
select article_id, kind, value, value_text, low, high, approximate, coalesce(subject, 'unknown') as subject,
       hedged, as_of, "start" as start_offset, "end" as end_offset, sentence
from figures
