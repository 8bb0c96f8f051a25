-- Per story, the figures each voice gives, side by side: kind, subject, number, hedge, date,
-- and where in the article's body the figure was read (start_offset, end_offset).
create or replace view mart_figures as
select
    a.story_id,
    a.voice,
    f.kind,
    f.subject,
    f.value,
    f.value_text,
    f.low,
    f.high,
    f.approximate,
    f.hedged,
    f.as_of,
    f.sentence,
    a.article_id,
    f.start_offset,
    f.end_offset
from stg_figures f
join mart_articles a using (article_id)
order by a.story_id, f.kind, f.subject, a.voice, f.start_offset, a.article_id
