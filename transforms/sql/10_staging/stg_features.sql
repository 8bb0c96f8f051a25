create or replace view stg_features as
select * exclude (run_id, extractor_version, lexicon_version, registry_version)
from features
