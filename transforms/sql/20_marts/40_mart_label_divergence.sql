-- Terms one voice uses in a story that no other voice in the same story uses.
create or replace view mart_label_divergence as
with used as (
    select distinct story_id, voice, category, frame, term
    from mart_term_rates
    where category in ('actor_label', 'event_label', 'foreign_force_label', 'place_name')
),
voices_per_story as (
    select story_id, count(distinct voice) as voices from mart_articles group by story_id
),
term_voices as (
    select story_id, category, term, count(distinct voice) as voices_using
    from used group by all
)
select u.story_id, u.voice, u.category, u.frame, u.term, s.voices as voices_in_story
from used u
join term_voices t using (story_id, category, term)
join voices_per_story s using (story_id)
where t.voices_using = 1 and s.voices > 1
order by u.story_id, u.category, u.voice, u.term
