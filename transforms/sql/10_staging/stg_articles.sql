-- One row per distinct article. `voice` is whose text it is: the origin when known,
-- else the publisher; comparisons group by voice so a republished copy of RT counts as RT.
create or replace view stg_articles as
select
    article_id,
    source,
    record,
    title,
    published,
    language,
    publisher,
    origin,
    coalesce(origin, publisher, 'unknown') as voice,
    provenance,
    credits,
    cast(word_count as bigint) as word_count,
    run_id,
    extractor_version,
    lexicon_version,
    registry_version
from articles
