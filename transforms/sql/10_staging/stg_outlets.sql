create or replace view stg_outlets as
select outlet_id, name as outlet_name, type as outlet_type, country, ownership, state_affiliation, lean
from outlets
