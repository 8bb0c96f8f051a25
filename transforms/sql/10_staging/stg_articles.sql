-- One row per distinct article. `voice` is whose text it is: the origin when known,
-- else the publisher; comparisons group by voice so a republished copy of RT counts as RT.
--
-- `origin` and `provenance` here are the effective values: per-article resolution
-- (`origin_inferred`, `provenance_inferred`, decided from the text alone) plus the copy
-- links computed over the whole warehouse. An article whose own origin was only the weak
-- default (evidence rule `default:publisher`, or no origin at all; no credit, house style
-- or manifest decided it) and that is the copy side of a link (`links.copy_id`) to an
-- article from another voice takes that article's origin (else its publisher):
-- `origin_rule` = 'copy-of', `origin_evidence` names the original's id, the link kind and
-- similarity, `copy_of` is the original's id. If that original is itself such a copy, the
-- chain is followed to the first article that is not (`origin_evidence` names it too).
-- Provenance of a re-credited copy: 'paraphrased' when a link on the way is a paraphrase
-- (if it was original or republished); if it was original: 'wire' when the new origin is
-- a wire agency (as per-article resolution says of a credited wire copy), else
-- 'republished'. A manifest provenance is never overridden (nor is its article
-- re-credited).
create or replace view stg_articles as
with recursive
origin_ev as (      -- the rule that decided each article's own origin (strongest row first)
    select article_id, rule, span from (
        select article_id, rule, span,
               row_number() over (partition by article_id
                                  order by rule = 'default:publisher', weight desc nulls last, rule, span) as rn
        from evidence where field = 'origin'
    ) where rn = 1
),
provenance_ev as (
    select article_id, rule from (
        select article_id, rule,
               row_number() over (partition by article_id
                                  order by rule like 'manifest:%' desc, weight desc nulls last, rule) as rn
        from evidence where field = 'provenance'
    ) where rn = 1
),
base as (
    select
        a.article_id, a.source, a.record, a.title, a.published, a.language, a.publisher,
        a.origin, a.provenance, a.credits, a.word_count, a.run_id,
        a.extractor_version, a.lexicon_version, a.registry_version,
        o.rule as origin_rule, o.span as origin_span, p.rule as provenance_rule,
        coalesce(a.origin, a.publisher) as own_voice,
        -- only the weak default decided the origin, and no manifest decided the provenance
        coalesce(o.rule, 'default:publisher') = 'default:publisher'
            and coalesce(p.rule, '') not like 'manifest:%' as weak_origin
    from articles a
    left join origin_ev o using (article_id)
    left join provenance_ev p using (article_id)
),
best_link as (      -- per weakly-resolved copy, its most similar original
    select article_id, original_id, kind, similarity from (
        select l.copy_id as article_id, l.original_id, l.kind, l.similarity,
               row_number() over (partition by l.copy_id order by l.similarity desc, l.original_id) as rn
        from links l
        join base b on b.article_id = l.copy_id and b.weak_origin
        where l.original_id <> l.copy_id
    ) where rn = 1
),
chain(article_id, original_id, kind, similarity, root_id, paraphrased, depth) as (
    select article_id, original_id, kind, similarity, original_id, kind = 'paraphrase', 1
    from best_link
    union all
    select c.article_id, c.original_id, c.kind, c.similarity, n.original_id,
           c.paraphrased or n.kind = 'paraphrase', c.depth + 1
    from chain c
    join best_link n on n.article_id = c.root_id
    where c.depth < 8 and n.original_id <> c.article_id      -- bounded: a cycle stops
),
recredit as (
    select c.article_id, c.original_id, c.kind, c.similarity, c.root_id, c.paraphrased,
           r.own_voice as root_voice, ro.type as root_type
    from (select *, row_number() over (partition by article_id order by depth desc) as rn from chain) c
    join base r on r.article_id = c.root_id
    left join outlets ro on ro.outlet_id = r.own_voice
    where c.rn = 1 and r.own_voice is not null
),
resolved as (
    select b.*, r.original_id, r.kind as link_kind, r.similarity, r.root_id, r.paraphrased, r.root_voice, r.root_type,
           r.article_id is not null and r.root_voice is distinct from b.own_voice as copied
    from base b
    left join recredit r using (article_id)
),
effective as (
    select
        *,
        case when copied then root_voice else origin end as origin_effective,
        case
            when not copied then provenance
            when paraphrased and provenance in ('original', 'republished') then 'paraphrased'
            when provenance = 'original' and root_type = 'wire' then 'wire'
            when provenance = 'original' then 'republished'
            else provenance
        end as provenance_effective
    from resolved
)
select
    article_id,
    source,
    record,
    title,
    published,
    language,
    publisher,
    origin_effective as origin,
    coalesce(origin_effective, publisher, 'unknown') as voice,
    provenance_effective as provenance,
    case when copied then 'copy-of' else origin_rule end as origin_rule,
    case
        when copied then link_kind || ' of ' || original_id || ' (similarity ' || round(similarity, 3) || ')'
                         || case when root_id <> original_id then ', which copies ' || root_id else '' end
                         || ': text of ' || root_voice
        else origin_span
    end as origin_evidence,
    case when copied then original_id end as copy_of,
    origin as origin_inferred,
    origin_rule as origin_rule_inferred,
    provenance as provenance_inferred,
    case when copied and provenance_effective <> provenance then 'copy-of' else provenance_rule end as provenance_rule,
    credits,
    cast(word_count as bigint) as word_count,
    run_id,
    extractor_version,
    lexicon_version,
    registry_version
from effective
