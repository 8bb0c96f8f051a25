-- Per story and voice: whose words are quoted (sides), how, and with which verbs.
create or replace view mart_quoted_sides as
select
    a.story_id,
    a.voice,
    q.side,
    count(*) as quotes,
    count(*) filter (where q.kind = 'direct') as direct,
    count(*) filter (where q.kind = 'indirect') as indirect,
    count(*) filter (where q.verb_class = 'doubt') as doubt_verbs,
    string_agg(distinct q.speaker, '; ' order by q.speaker) as speakers
from stg_quotes q
join mart_articles a using (article_id)
group by a.story_id, a.voice, q.side
order by a.story_id, a.voice, quotes desc, q.side
