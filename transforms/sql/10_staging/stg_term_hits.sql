create or replace view stg_term_hits as
select
    article_id,
    category,
    frame,
    lower(term) as term,
    canonical,
    "start" as start_offset,
    "end" as end_offset,
    in_quote,
    sentence
from term_hits
