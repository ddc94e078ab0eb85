"""Browser end-to-end fixtures: the real app (uvicorn + a Celery worker) on databases of its own,
seeded with the demo data, driven by Playwright in Debian's headless Chromium."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _url_with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin(url: str) -> psycopg.Connection:  # type: ignore[type-arg]
    return psycopg.connect(_url_with_db(url, "postgres"), autocommit=True)


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web process exited early:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{url}/api/health", timeout=3)
            return
        except urllib.error.HTTPError:
            return  # 503 (degraded) still means the web process answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the web process did not answer within 60 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment for app processes: fresh app + workspace databases, migrated and seeded."""
    if not (ROOT / "frontend" / "dist" / "index.html").exists():
        pytest.fail("frontend/dist is missing: run `make test` (it builds the frontend first).")
    tag = f"{os.getpid()}"
    names = (f"test_e2e_app_{tag}", f"test_e2e_ws_{tag}")
    base = settings.DATABASE_URL
    with _admin(base) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(names[0])))
    env = {**os.environ, "DATABASE_URL": _url_with_db(base, names[0]),
           "WORKSPACE_DATABASE_URL": _url_with_db(base, names[1]), "REDIS_PREFIX": f"mbe2e{tag}",
           "DJANGO_SETTINGS_MODULE": "project.settings"}
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    yield env
    with _admin(base) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def live_url(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web process (uvicorn: HTTP, WebSocket, the built SPA; as in the Procfile) and one Celery worker."""
    logs = tmp_path_factory.mktemp("e2e-logs")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    web_log, worker_log = logs / "web.log", logs / "worker.log"
    web = subprocess.Popen([str(BIN / "uvicorn"), "project.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                            "--lifespan", "off", "--timeout-keep-alive", "75", "--no-access-log"],
                           cwd=ROOT, env=app_env, stdout=web_log.open("w"), stderr=subprocess.STDOUT)
    worker = subprocess.Popen([str(BIN / "celery"), "-A", "project", "worker", "--pool=solo", "--loglevel=WARNING"],
                              cwd=ROOT, env=app_env, stdout=worker_log.open("w"), stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(url, web, web_log)
        yield url
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def log_in(page: Page, username: str, password: str | None = None) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or username)
    page.get_by_role("button", name="Log in").click()


def screenshot(page: Page, name: str) -> None:
    """Saves the page as `<name>.png` in the folder E2E_SCREENSHOTS names (for notes and reviews), if set."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png")
