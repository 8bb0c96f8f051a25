-- Per story and voice: how often each framing term is used, per 1,000 words of that
-- voice's articles in the story (words counted once per article).
-- `label` groups inflections (protester/protesters -> protester) but keeps name
-- variants apart (Almaty vs Alma-Ata), because the variant is the framing signal.
create or replace view mart_term_rates as
with voice_words as (
    select story_id, voice, count(*) as articles, sum(word_count) as words
    from mart_articles
    group by story_id, voice
),
hits as (
    select a.story_id, a.voice, h.category, h.frame, h.canonical, h.term, h.label,
           count(*) as hits,
           count(*) filter (where h.in_quote) as hits_in_quote,
           min(h.sentence) as example_sentence
    from stg_term_hits h
    join mart_articles a using (article_id)
    group by all
)
select
    h.story_id,
    h.voice,
    h.category,
    h.frame,
    h.label,
    h.canonical,
    h.term,
    h.hits,
    h.hits_in_quote,
    w.articles,
    w.words,
    round(1000.0 * h.hits / nullif(w.words, 0), 3) as per_1000_words,
    h.example_sentence
from hits h
join voice_words w using (story_id, voice)
order by story_id, category, label, term, voice, frame, canonical
