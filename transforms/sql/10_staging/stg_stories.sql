create or replace view stg_stories as
select article_id, story_id from stories
