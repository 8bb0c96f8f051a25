-- Per story, figure kind and subject: the range of the numbers given and who says what.
-- A vague amount ("dozens", "hundreds") is no number: it is in who_says_what, not in
-- min/max/spread (its low end, 24 for "dozens", is not what the text said).
create or replace view mart_figure_disagreement as
with per_voice as (
    select story_id, kind, subject, voice,
           max(value) as value,    -- the number it gives ("Over 4,000": 4000); null: vague amounts only
           string_agg(value_text, ' / ' order by value_text) as said
    from mart_figures
    group by story_id, kind, subject, voice
)
select
    story_id,
    kind,
    subject,
    count(*) as voices,
    count(value) as voices_with_number,
    min(value) as min_value,
    max(value) as max_value,
    max(value) - min(value) as spread,
    string_agg(voice || ': ' || said, '; ' order by voice) as who_says_what
from per_voice
group by story_id, kind, subject
order by story_id, kind, subject
