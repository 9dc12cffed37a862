"""Pocketo ALSH attendance exports (sources.md §1).

Everything this source needs is data: its reader spec (sources/specs/pocketo.yaml), its
schema (schemas/pocketo.py) and its staging SQL (warehouse/sql/stg_pocketo__presences.sql).
"""

from sources.spec import load_spec

SPEC = load_spec("pocketo")
