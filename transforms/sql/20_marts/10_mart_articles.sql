-- One row per article with its story, voice and headline features. origin/provenance are
-- the effective ones (a copy credited to its original: origin_rule 'copy-of'); the
-- *_inferred columns are what the article's own text said.
create or replace view mart_articles as
with joined as (
    select
        s.story_id,
        a.article_id,
        a.voice,
        o.outlet_name as voice_name,
        a.publisher,
        a.origin,
        a.provenance,
        a.origin_rule,
        a.origin_evidence,
        a.copy_of,
        a.origin_inferred,
        a.provenance_inferred,
        a.title,
        a.published,
        a.language,
        f.word_count,
        f.hits_total,
        f.hits_legitimising,
        f.hits_neutral,
        f.hits_delegitimising,
        f.hits_in_quote,
        f.quote_share,
        f.flesch_reading_ease,
        f.flesch_kincaid_grade,
        f.text_standard,
        f.hits_loaded,
        f.tone_mean,
        f.tone_protesters,
        f.tone_security,
        a.source
    from stg_articles a
    left join stg_stories s using (article_id)
    left join stg_features f using (article_id)
    left join stg_outlets o on o.outlet_id = a.voice
)
select * from joined
order by story_id, voice, article_id
