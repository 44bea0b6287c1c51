"""The embedded backend's stop test: the planning deadline and cancellation, without a model."""

from __future__ import annotations

import threading
import time

from bt_planner.backends.local.embedded_backend import _stopper


def test_nothing_stops_a_call_without_deadline_or_cancellation() -> None:
    assert _stopper(None, None)() is None
    assert _stopper(time.monotonic() + 60.0, threading.Event())() is None


def test_a_passed_deadline_stops_decoding_with_the_setting_named() -> None:
    reason = _stopper(time.monotonic() - 0.001, None)()
    assert reason is not None and "retry.total_timeout_s" in reason


def test_cancellation_stops_decoding() -> None:
    cancelled = threading.Event()
    should_stop = _stopper(None, cancelled)
    assert should_stop() is None
    cancelled.set()
    assert should_stop() == "the planning call was cancelled"
