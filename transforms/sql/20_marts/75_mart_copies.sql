-- Copy lineage: which article copies which (duplicates, syndicated and spun copies),
-- who published each side, and what the copy changed.
create or replace view mart_copies as
select
    l.kind,
    l.similarity,
    o.voice as original_voice,
    c.voice as copy_voice,
    c.provenance as copy_provenance,
    c.publisher as copy_publisher,
    c.origin_rule as copy_origin_rule,
    o.title as original_title,
    c.title as copy_title,
    len(l.changes) as changes,
    array_to_string(l.changes[1:20], ' | ') as first_changes,
    l.original_id,
    l.copy_id
from stg_links l
join mart_articles o on o.article_id = l.original_id
join mart_articles c on c.article_id = l.copy_id
order by l.similarity desc, l.original_id, l.copy_id
