-- Outlet x term over the whole warehouse (all stories): how often each voice uses each
-- label, per 1,000 of its words, with counts.
create or replace view mart_outlet_terms as
with voice_words as (
    select voice, count(*) as articles, sum(word_count) as words
    from mart_articles
    group by voice
),
hits as (
    select a.voice, h.category, h.frame, h.label,
           count(*) as hits,
           count(distinct h.article_id) as articles_using
    from stg_term_hits h
    join mart_articles a using (article_id)
    where h.category not in ('hedge')
    group by all
)
select
    h.voice,
    h.category,
    h.frame,
    h.label,
    h.hits,
    h.articles_using,
    w.articles,
    w.words,
    round(1000.0 * h.hits / nullif(w.words, 0), 3) as per_1000_words
from hits h
join voice_words w using (voice)
order by h.voice, h.category, h.hits desc, h.label, h.frame
