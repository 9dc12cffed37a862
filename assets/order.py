"""The order of the steps that are ready at the same moment.

Dagster's in-process executor runs, of the steps whose upstream is done, the one of highest
``dagster/priority`` first (0 when unset). A priority changes when a step runs, never what it
writes: the dependencies alone make the results right, the priorities make the run shorter by
putting Python work where the process would otherwise wait.
"""

PRIORITY = "dagster/priority"

# ``reference``: DuckDB loads the reference tables while a thread takes the commune indexes the
# sources need (built by the worker process, or here without it), before any source asks for them.
FIRST = {PRIORITY: "1"}
# ``retours``: it reads the feedback workbooks' rows as soon as they are final and hands the
# writing to the worker process, idle then (its warm-up done, the exports not yet validated).
# ``exports``: it hands the public tables to the worker to validate before ``catalogue`` runs.
TO_WORKER = {PRIORITY: "1"}
# The checks that wait for the worker (Great Expectations on ``exports``, the workbooks of
# ``retours``) come last.
LAST = {PRIORITY: "-2"}
