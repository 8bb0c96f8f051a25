-- What made the warehouse's numbers: one row per combination of versions (code, lexicons,
-- outlet registry, story clustering), with the articles it made and the runs that wrote
-- them. Every report folder holds this mart beside the others, so a spreadsheet of any
-- mart can say which versions made it; more than one row means the warehouse mixes
-- versions (rows kept from raw files that are gone, say: README, "run is incremental").
create or replace view mart_versions as
select
    a.extractor_version,
    a.lexicon_version,
    a.registry_version,
    s.lineage_version,
    count(*) as articles,
    count(distinct a.run_id) as runs,
    min(a.run_id) as first_run_id,
    max(a.run_id) as last_run_id
-- (from the tables, not stg_articles: the versions pass through it unchanged, and its copy
-- chains and windows cost every report twice, for the CSV and for report.html)
from articles a
left join stories s using (article_id)
group by all
order by articles desc, extractor_version, lexicon_version, registry_version, lineage_version
