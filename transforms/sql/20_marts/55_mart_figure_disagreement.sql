-- Per story, figure kind and subject: the range of numbers given and who says what.
create or replace view mart_figure_disagreement as
with per_voice as (
    select story_id, kind, subject, voice,
           max(coalesce(value, low)) as value,
           string_agg(value_text, ' / ' order by value_text) as said
    from mart_figures
    group by story_id, kind, subject, voice
)
select
    story_id,
    kind,
    subject,
    count(*) as voices,
    min(value) as min_value,
    max(value) as max_value,
    max(value) - min(value) as spread,
    string_agg(voice || ': ' || said, '; ' order by voice) as who_says_what
from per_voice
group by story_id, kind, subject
order by story_id, kind, subject
