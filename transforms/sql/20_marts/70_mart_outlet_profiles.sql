-- Outlet profiles over time: per voice and month (published, else ingested), the
-- framing rates and tone, for the nightly trend.
create or replace view mart_outlet_profiles as
with dated as (
    select a.*, coalesce(date_trunc('month', a.published),
                         date_trunc('month', strptime(substr(r.run_id, 1, 8), '%Y%m%d'))) as month
    from mart_articles a
    join (select article_id, run_id from stg_articles) r using (article_id)
)
select
    voice,
    any_value(voice_name) as voice_name,
    cast(month as date) as month,
    count(*) as articles,
    sum(word_count) as words,
    round(1000.0 * sum(hits_delegitimising) / nullif(sum(word_count), 0), 3) as delegitimising_per_1000,
    round(1000.0 * sum(hits_legitimising) / nullif(sum(word_count), 0), 3) as legitimising_per_1000,
    round(1000.0 * sum(hits_loaded) / nullif(sum(word_count), 0), 3) as loaded_per_1000,
    round(avg(tone_mean), 3) as tone_mean,
    round(avg(quote_share), 3) as quote_share,
    round(avg(flesch_reading_ease), 1) as flesch_reading_ease
from dated
group by voice, month
order by voice, month
