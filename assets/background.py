"""What a refresh starts beside itself as soon as it begins, to run on the other core.

Its worker process (warehouse/worker.py) gets, in this order, the national commune indexes
(sources/referential.py), which the first source needs two seconds later, then Great
Expectations' warm-up (warehouse/expectations.py), needed at the end. Chromium starts, at the
idle priority, for the report's PDF (reporting/browser.py)."""

from reporting import browser
from sources import referential
from warehouse import expectations, worker


def start() -> None:
    """Start the worker with its first tasks, and the browser, once per process."""
    if worker.start():
        referential.prepare_in_worker()
        expectations.warm_up_in_worker()
    browser.start()
