"""`mkdocs serve` with bad data: it keeps serving, the browser shows the problems, the next good save recovers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import SAMPLE_CASE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def _wait_for(url: str, predicate, timeout: float = 180) -> str:
    deadline, text = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            text = _get(url)
            if predicate(text):
                return text
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {url}; last page began: {text[:300]!r}")



def test_serve_shows_data_problems_and_recovers(project):
    port = _free_port()
    case = project / "cases" / SAMPLE_CASE.name
    good = case.read_text(encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/cases/{case.stem}/"
        _wait_for(url, lambda t: "<article" in t)
        case.write_text(good.replace("\n  age: ", "\n  age: old", 1), encoding="utf-8")
        page = _wait_for(url, lambda t: "data-problems" in t)
        assert f"cases/{case.name}:" in page and "is not a whole number" in page
        assert server.poll() is None, "serve must keep running"
        case.write_text(good, encoding="utf-8")
        _wait_for(url, lambda t: "data-problems" not in t and "<article" in t)
        # An unacknowledged warning fails the strict build: the preview shows it instead of hanging.
        assert '"care:patient-perspective"' in good
        case.write_text(good.replace('"care:patient-perspective"', '"care:informed-consent-x"', 1), encoding="utf-8")
        page = _wait_for(url, lambda t: "data-problems" in t)
        assert "warning" in page and "Patient perspective" in page and "<article" in page
        case.write_text(good, encoding="utf-8")
        _wait_for(url, lambda t: "data-problems" not in t and "<article" in t)
    finally:
        server.terminate()
        server.wait(timeout=30)
