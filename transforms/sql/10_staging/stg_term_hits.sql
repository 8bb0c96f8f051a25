create or replace view stg_term_hits as
select
    article_id,
    category,
    frame,
    lower(term) as term,
    canonical,
    -- the label a comparison counts: inflections folded (protester/protesters), name
    -- variants kept apart (Almaty vs Alma-Ata: the variant is the framing signal)
    case when category in ('place_name', 'person_name') then lower(term) else lower(canonical) end as label,
    "start" as start_offset,
    "end" as end_offset,
    in_quote,
    sentence
from term_hits
where coalesce(field, 'body') = 'body'   -- the title's hits are the title_* features, not body rates
