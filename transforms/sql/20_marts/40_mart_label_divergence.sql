-- Labels one voice uses in a story that no other voice in the same story uses.
create or replace view mart_label_divergence as
with used as (
    select story_id, voice, category, frame, label, forms, hits
    from mart_label_rates
    where category in ('actor_label', 'event_label', 'foreign_force_label', 'government_label', 'place_name')
),
voices_per_story as (
    select story_id, count(distinct voice) as voices from mart_articles group by story_id
),
label_voices as (
    select story_id, category, label, count(distinct voice) as voices_using
    from used group by all
)
select u.story_id, u.voice, u.category, u.frame, u.label, u.forms, u.hits, s.voices as voices_in_story
from used u
join label_voices l using (story_id, category, label)
join voices_per_story s using (story_id)
where l.voices_using = 1 and s.voices > 1
order by u.story_id, u.category, u.voice, u.label
