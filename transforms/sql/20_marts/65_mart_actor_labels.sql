-- Per story and voice: the label used most for the people in the street (actor labels),
-- with every actor label and the modifiers attached to them.
create or replace view mart_actor_labels as
with labels as (
    select story_id, voice, label, frame, hits,
           row_number() over (partition by story_id, voice order by hits desc, label) as rank
    from mart_label_rates
    where category = 'actor_label'
),
mods as (
    select a.story_id, a.voice, string_agg(distinct h.canonical, ', ' order by h.canonical) as modified_as
    from stg_term_hits h join mart_articles a using (article_id)
    where h.category = 'actor_modifier'
    group by a.story_id, a.voice
)
select
    l.story_id,
    l.voice,
    max(case when rank = 1 then l.label end) as main_label,
    max(case when rank = 1 then l.frame end) as main_frame,
    string_agg(l.label || ' (' || l.hits || ')', ', ' order by l.hits desc, l.label) as all_labels,
    sum(l.hits) filter (where l.frame = 'delegitimising') as delegitimising_hits,
    any_value(m.modified_as) as modified_as
from labels l
left join mods m using (story_id, voice)
group by l.story_id, l.voice
order by l.story_id, l.voice
