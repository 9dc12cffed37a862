"""A headless Chromium started ahead of the printing, driven through its DevTools pipe.

``chromium --print-to-pdf`` starts a browser for each page, and the start is about half of what
printing the report costs. A refresh starts one browser when it begins (:func:`start`, from
assets/background.py), under the idle scheduling policy like every Chromium of the project
(reporting/pdf.py): it starts on the CPU the refresh leaves and is ready when the report is.
:meth:`Browser.print_page` then opens the page in a new tab and prints it through the DevTools
protocol on a pipe (``--remote-debugging-pipe``: JSON messages ended by a NUL byte, read by
Chromium on its descriptor 3, answered on 4), with the options of ``--print-to-pdf
--no-pdf-header-footer``. The browser is ended with the process; without it, or once it failed,
reporting/pdf.py prints as before.
"""

from __future__ import annotations

import atexit
import base64
import fcntl
import json
import os
import select
import subprocess
import threading
import time
from pathlib import Path

from reporting.pdf import (TIMEOUT_SECONDS, PrintJob, Profile, chromium, chromium_command, end_group, partial_path,
                           put_in_place)

# What ``--print-to-pdf --no-pdf-header-footer`` asks of Chromium (the same PDF, byte for byte).
PRINT_OPTIONS = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False}
FIRST_FREE_DESCRIPTOR = 10  # above 3 and 4, which the pipe's ends become in Chromium (bash, not dash, moves them)


class BrowserError(Exception):
    """The browser did not print: it ended, did not answer in time, or answered an error."""


class Browser:
    """One headless Chromium with an empty tab, its profile in a temporary folder, ended (with its
    helper processes, as reporting/pdf.py ends its own) and the folder removed by :meth:`close`
    or when the process ends."""

    def __init__(self):
        self._profile = Profile()
        their_in, self._commands = _high(os.pipe())
        self._replies, their_out = _high(os.pipe())
        shell = f'exec "$0" "$@" 3<&{their_in} 4>&{their_out}'  # bash puts the pipe where Chromium reads it
        try:
            self._process = subprocess.Popen(
                ["bash", "-c", shell, *chromium_command(["--remote-debugging-pipe"], self._profile),
                 "about:blank"],
                pass_fds=(their_in, their_out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                process_group=0)
        except OSError:
            for descriptor in (self._commands, self._replies):
                os.close(descriptor)
            self._profile.cleanup()
            raise
        finally:
            os.close(their_in)
            os.close(their_out)
        self._unread, self._events, self._last_id = b"", [], 0
        self._lock = threading.Lock()  # one page at a time on the pipe
        atexit.register(self.close)

    def alive(self) -> bool:
        return self._process.poll() is None

    def print_page(self, html: Path, pdf: Path) -> None:
        """Print ``html`` into ``pdf``; BrowserError when the browser cannot."""
        with self._lock:
            deadline = time.monotonic() + TIMEOUT_SECONDS
            target = self._call(deadline, "Target.createTarget", url="about:blank")["targetId"]
            try:
                session = self._call(deadline, "Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
                self._call(deadline, "Page.enable", session=session)
                self._call(deadline, "Page.navigate", session=session, url=html.resolve().as_uri())
                self._wait_for(deadline, "Page.loadEventFired", session)
                data = self._call(deadline, "Page.printToPDF", session=session, **PRINT_OPTIONS)["data"]
            finally:
                self._call(deadline, "Target.closeTarget", targetId=target)
        pdf.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        end_group(self._process)
        for descriptor in (self._commands, self._replies):
            try:
                os.close(descriptor)
            except OSError:
                pass
        self._profile.cleanup()
        atexit.unregister(self.close)

    def _call(self, deadline: float, method: str, session: str | None = None, **params) -> dict:
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        try:
            os.write(self._commands, json.dumps(message).encode("utf-8") + b"\0")
        except OSError as error:
            raise BrowserError(f"Chromium ne lit plus ses commandes ({error})") from error
        while (reply := self._read(deadline)).get("id") != self._last_id:
            pass
        if "error" in reply:
            raise BrowserError(f"{method} : {reply['error'].get('message')}")
        return reply.get("result", {})

    def _wait_for(self, deadline: float, method: str, session: str) -> None:
        while (method, session) not in self._events:
            self._read(deadline)
        self._events.clear()

    def _read(self, deadline: float) -> dict:
        """The next message; an event is also kept in ``_events`` for :meth:`_wait_for`."""
        while b"\0" not in self._unread:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                raise BrowserError(f"Chromium n'a pas répondu en {TIMEOUT_SECONDS} s")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium s'est arrêté")
            self._unread += chunk
        message, self._unread = self._unread.split(b"\0", 1)
        reply = json.loads(message)
        if "method" in reply:
            self._events.append((reply["method"], reply.get("sessionId")))
        return reply


def _high(pipe: tuple[int, int]) -> tuple[int, int]:
    """The pipe's two ends moved above the descriptors Chromium expects its pipe on."""
    moved = tuple(fcntl.fcntl(end, fcntl.F_DUPFD_CLOEXEC, FIRST_FREE_DESCRIPTOR) for end in pipe)
    for end in pipe:
        os.close(end)
    return moved


_browser: Browser | None = None


def start() -> None:
    """Start the browser, once per process, when Chromium is installed (if it cannot start, bash
    missing for instance, the report is printed the usual way)."""
    global _browser
    if _browser is None and chromium() is not None:
        try:
            _browser = Browser()
        except OSError:
            _browser = None


def start_printing(html: Path, partial: Path) -> PrintJob | BrowserPrintJob:
    """Print ``html`` in the background: by the browser started ahead when it runs, else by a
    Chromium of its own (reporting/pdf.py)."""
    if _browser is not None and _browser.alive():
        return BrowserPrintJob(_browser, html, partial)
    return PrintJob(html, partial)


class BrowserPrintJob:
    """The browser started ahead printing a page, in a thread; what :class:`PrintJob` offers."""

    def __init__(self, browser: Browser, html: Path, partial: Path):
        self.partial, self._html, self._failure = partial, html, None
        partial.unlink(missing_ok=True)
        self._thread = threading.Thread(target=self._print, args=(browser,), daemon=True)
        self._thread.start()

    def _print(self, browser: Browser) -> None:
        try:
            browser.print_page(self._html, self.partial)
        except Exception as error:  # whatever stopped it, finish() prints the usual way
            self._failure = error

    def finish(self, pdf: Path) -> str | None:
        """Put the PDF in place; if the browser failed, print it the usual way (its warning, if any)."""
        self._thread.join()
        if self._failure is not None or not self.partial.exists():
            self.partial.unlink(missing_ok=True)
            return PrintJob(self._html, partial_path(pdf)).finish(pdf)
        put_in_place(self.partial, pdf)
        return None

    def cancel(self) -> None:
        self._thread.join()
        self.partial.unlink(missing_ok=True)
