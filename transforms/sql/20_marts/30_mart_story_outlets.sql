-- Per story, the outlets (voices) side by side: labels used, frame rates, readability.
create or replace view mart_story_outlets as
with labels as (
    select story_id, voice,
           string_agg(distinct label, ', ' order by label) filter (where category = 'actor_label') as actor_labels,
           string_agg(distinct label, ', ' order by label) filter (where category = 'event_label') as event_labels,
           string_agg(distinct label, ', ' order by label) filter (where category = 'foreign_force_label') as foreign_force_labels,
           string_agg(distinct label, ', ' order by label) filter (where category = 'place_name') as place_names
    from mart_label_rates
    group by story_id, voice
),
voices as (
    select story_id, voice,
           any_value(voice_name) as voice_name,
           string_agg(distinct provenance, ', ' order by provenance) as provenance,
           string_agg(distinct coalesce(publisher, '?'), ', ' order by coalesce(publisher, '?')) as publishers,
           count(*) as articles,
           sum(word_count) as words,
           sum(hits_delegitimising) as hits_delegitimising,
           sum(hits_legitimising) as hits_legitimising,
           sum(hits_neutral) as hits_neutral,
           round(avg(quote_share), 3) as quote_share,
           round(avg(flesch_reading_ease), 1) as flesch_reading_ease,
           round(avg(flesch_kincaid_grade), 1) as flesch_kincaid_grade,
           sum(hits_loaded) as hits_loaded,
           round(avg(tone_mean), 3) as tone_mean,
           round(avg(tone_protesters), 3) as tone_protesters,
           round(avg(tone_security), 3) as tone_security
    from mart_articles
    group by story_id, voice
)
select
    v.story_id, v.voice, v.voice_name, v.provenance, v.publishers, v.articles, v.words,
    l.actor_labels, l.event_labels, l.foreign_force_labels, l.place_names,
    round(1000.0 * v.hits_delegitimising / nullif(v.words, 0), 2) as delegitimising_per_1000,
    round(1000.0 * v.hits_legitimising / nullif(v.words, 0), 2) as legitimising_per_1000,
    round(1000.0 * v.hits_neutral / nullif(v.words, 0), 2) as neutral_per_1000,
    round(1000.0 * v.hits_loaded / nullif(v.words, 0), 2) as loaded_per_1000,
    v.quote_share, v.tone_mean, v.tone_protesters, v.tone_security,
    v.flesch_reading_ease, v.flesch_kincaid_grade
from voices v
left join labels l using (story_id, voice)
order by v.story_id, v.voice
