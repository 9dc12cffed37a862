""""Aide à la pratique sportive" records (sources.md §4).

Everything this source needs is data: its reader spec (sources/specs/aide_sport.yaml), its
schema (schemas/aide_sport.py), its staging SQL (warehouse/sql/stg_aide_sport__aides.sql), the
versioned rule table (warehouse/ref/aide_sport_regles.csv) and the SQL of its warnings
(warehouse/sql/avert_aide_sport__regles.sql).
"""

from sources.spec import load_spec

SPEC = load_spec("aide_sport")
