"""Food-aid distribution logs (sources.md §3), one row per passage.

Everything this source needs is data: its reader spec (sources/specs/aide_alimentaire.yaml),
its schemas (schemas/aide_alimentaire.py), its staging SQL
(warehouse/sql/stg_aide_alimentaire__passages.sql) and the orientation categories
(warehouse/ref/aide_alimentaire_orientations*.csv).
"""

from sources.spec import load_spec

SPEC = load_spec("aide_alimentaire")
