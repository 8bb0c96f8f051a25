-- Per story, voice and label (inflections summed): the numbers the heat map shows.
create or replace view mart_label_rates as
select
    story_id,
    voice,
    category,
    frame,
    label,
    sum(hits) as hits,
    sum(hits_in_quote) as hits_in_quote,
    any_value(words) as words,
    round(1000.0 * sum(hits) / nullif(any_value(words), 0), 3) as per_1000_words,
    string_agg(distinct term, ', ' order by term) as forms
from mart_term_rates
group by story_id, voice, category, frame, label
order by story_id, category, label, voice
