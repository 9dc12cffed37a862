"""The order of the steps that are ready at the same moment.

Dagster's in-process executor runs, of the steps whose upstream is done, the one of highest
``dagster/priority`` first (0 when unset). A priority changes when a step runs, never what it
writes: the dependencies alone make the results right, the priorities make the run shorter by
putting Python work where the process would otherwise wait.
"""

PRIORITY = "dagster/priority"

# ``reference``: DuckDB loads the reference tables while a thread builds the commune indexes the
# sources need, before any source asks for them.
FIRST = {PRIORITY: "1"}
# ``retours``: the feedback workbooks are written while the worker validates the exports.
WHILE_VALIDATING = {PRIORITY: "-1"}
# The Great Expectations check of ``exports``: it waits for the worker, so it comes last.
LAST = {PRIORITY: "-2"}
