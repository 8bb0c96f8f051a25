create or replace view stg_links as
select article_a, article_b, similarity, kind, original_id, copy_id, changes from links
