"""Benchmark harness: the real app (uvicorn + a Celery worker) on databases of its own, an HTTP client
with a token, psql helpers, RSS readers and timers. Standard library + psycopg only, so it runs in the
project's .venv without extra packages.

The app is started the way tests/e2e/conftest.py does it: fresh app and workspace databases
(`bench_app`, `bench_ws`), `migrate` + `seed_demo`, then `uvicorn project.asgi:application` (as in the Procfile) and
`celery -A project worker`, each with its own environment (REDIS_PREFIX too, so a bench run never
hears another run's events or tasks)."""

from __future__ import annotations

import base64
import fcntl
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
VENV_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin" / "uvicorn").exists() else Path(sys.executable).parent
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else Path(sys.executable)
PSQL = shutil.which("psql") or "/usr/bin/psql"
DEFAULT_DATABASE_URL = "postgres://modulebench:modulebench@127.0.0.1:5432/modulebench"
APP_DB, WS_DB = "bench_app", "bench_ws"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- numbers -------------------------------------------------------------------------------------

def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


def percentile(values: Iterable[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return float(ordered[index])


@contextmanager
def timer() -> Iterator[dict[str, float]]:
    """`with timer() as t: ...` then t["s"] is the wall time in seconds."""
    result: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield result
    finally:
        result["s"] = time.perf_counter() - started


def fmt_int(value: float) -> str:
    return f"{value:,.0f}"


def fmt_mib(n_bytes: float) -> str:
    return f"{n_bytes / (1 << 20):,.1f} MiB"


# --- processes -----------------------------------------------------------------------------------

def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM (peak RSS) etc. of a process, in bytes."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if key.startswith("Vm") and len(parts) == 2 and parts[1] == "kB":
            values[key] = int(parts[0]) * 1024
    return values


def peak_rss(pid: int) -> int:
    return proc_status(pid)["VmHWM"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- databases -----------------------------------------------------------------------------------

def url_with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_connection(base_url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url_with_db(base_url, "postgres"), autocommit=True)


def recreate_databases(base_url: str, names: Iterable[str]) -> None:
    with admin_connection(base_url) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def harden_as_superuser(url: str) -> None:
    """The superuser-only part of run isolation (apps.engine.storage.harden_workspace), as the local
    superuser `postgres`; skipped, with a line saying so, when there is none."""
    from apps.engine.storage import harden_workspace

    parts = urlsplit(url)
    superuser = urlunsplit(parts._replace(netloc=f"postgres@{parts.netloc.rpartition('@')[2]}"))
    try:
        with psycopg.connect(superuser, autocommit=True) as conn:
            harden_workspace(conn, app_role=parts.username or "modulebench")
    except psycopg.OperationalError as exc:
        log(f"no superuser access, the workspace is not hardened: {exc}")


def drop_databases(base_url: str, names: Iterable[str]) -> None:
    with admin_connection(base_url) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def psql(url: str, command: str, *, stdout: Any = subprocess.DEVNULL) -> float:
    """Runs one psql command (-X: no psqlrc, ON_ERROR_STOP) and returns its wall time in seconds."""
    with timer() as t:
        subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", command],
                       check=True, stdout=stdout)
    return t["s"]


def psql_read(url: str, command: str, consume: Callable[[bytes], None], chunk: int = 1 << 20) -> float:
    """Runs a psql command whose output (e.g. `\\copy ... TO STDOUT`) is read through a pipe and handed
    to `consume` chunk by chunk, like an HTTP client reading a download. Returns the wall time."""
    with timer() as t:
        process = subprocess.Popen([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", command],
                                   stdout=subprocess.PIPE)
        assert process.stdout is not None
        while data := process.stdout.read(chunk):
            consume(data)
        if process.wait() != 0:
            raise RuntimeError(f"psql failed ({process.returncode}): {command}")
    return t["s"]


def sql_value(url: str, query: str, params: Any = None) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(query, params).fetchone()
        return row[0] if row else None


# --- HTTP ----------------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float  # wall time, request sent .. body fully read

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def server_ms(self) -> float | None:
        """The app's own time from `Server-Timing: app;dur=<ms>`."""
        for part in self.headers.get("server-timing", "").split(","):
            name, _, rest = part.strip().partition(";")
            if name == "app" and rest.startswith("dur="):
                return float(rest[4:])
        return None


class HttpError(RuntimeError):
    pass


class Client:
    """A keep-alive HTTP/1.1 client on loopback (http.client), with the API token once logged in."""

    def __init__(self, base_url: str, timeout: float = 900) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.token: str | None = None
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        headers.update(extra or {})
        return headers

    def _exchange(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                  consume: Callable[[bytes], None] | None = None, check: bool = True) -> Reply:
        conn = self._connection()
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=self._headers(headers))
            response = conn.getresponse()
            data = self._read(response, consume)
        except (ConnectionError, http.client.HTTPException):
            self.close()
            raise
        seconds = time.perf_counter() - started
        reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data, seconds)
        if response.will_close:
            self.close()
        if check and reply.status >= 400:
            raise HttpError(f"{method} {path} -> {reply.status}: {reply.body[:500]!r}")
        return reply

    @staticmethod
    def _read(response: http.client.HTTPResponse, consume: Callable[[bytes], None] | None) -> bytes:
        if consume is None:
            return response.read()
        while chunk := response.read1(1 << 20):
            consume(chunk)
        return b""

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Reply:
        if params:
            path = f"{path}?{urlencode(params)}"
        return self._exchange("GET", path, **kw)

    def post(self, path: str, payload: Any = None, **kw: Any) -> Reply:
        body = json.dumps(payload if payload is not None else {}).encode()
        return self._exchange("POST", path, body=body, headers={"Content-Type": "application/json"}, **kw)

    def login(self, username: str, password: str) -> None:
        self.token = self.post("/api/auth/token", {"username": username, "password": password}).json()["token"]

    def download(self, path: str, consume: Callable[[bytes], None], params: dict[str, Any] | None = None) -> Reply:
        """GET whose body is read fully in chunks (handed to `consume`, never kept)."""
        return self.get(path, params, consume=consume)

    def post_body(self, path: str, parts: Callable[[], Iterator[bytes]], size: int, *, content_type: str,
                  params: dict[str, Any] | None = None) -> Reply:
        """POSTs `parts()` (whose bytes total `size`) as the body itself, streamed like upload()."""
        if params:
            path = f"{path}?{urlencode(params)}"
        return self._exchange("POST", path, body=parts(), headers={"Content-Type": content_type,
                                                                   "Content-Length": str(size)})

    def upload(self, path: str, parts: Callable[[], Iterator[bytes]], size: int, *, field_name: str = "file",
               filename: str = "data.csv", fields: dict[str, str] | None = None) -> Reply:
        """POSTs a multipart/form-data body streamed from `parts()` (whose bytes total `size`), so
        the client never holds the file in memory. Returns once the response is read."""
        boundary = f"mbbench{uuid.uuid4().hex}"
        head = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in (fields or {}).items())
        head += (f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
                 f"Content-Type: text/csv\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body() -> Iterator[bytes]:
            yield head
            yield from parts()
            yield tail

        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "Content-Length": str(len(head) + size + len(tail))}
        return self._exchange("POST", path, body=body(), headers=headers)


def file_parts(path: Path, *, start: int = 0, chunk: int = 1 << 20) -> Callable[[], Iterator[bytes]]:
    def parts() -> Iterator[bytes]:
        with path.open("rb") as f:
            f.seek(start)
            while data := f.read(chunk):
                yield data
    return parts


def encode_cursor(values: list[Any]) -> str:
    """The viewer's keyset cursor (apps/engine/storage.encode_cursor): base64url JSON, no padding."""
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


# --- the app -------------------------------------------------------------------------------------

def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 90) -> None:
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web process exited early:\n{log_path.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=2)
            conn.request("GET", "/api/me")
            conn.getresponse().read()
            conn.close()
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError(f"the web process did not answer within {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@dataclass
class App:
    """A running web process (uvicorn) and Celery worker. `restart_web()` gives a fresh web process,
    e.g. so that its peak RSS (VmHWM) covers one workload only."""

    env: dict[str, str]
    logs: Path
    url: str = ""
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    _web_starts: int = 0

    def start(self) -> App:
        self.worker = subprocess.Popen(
            [str(VENV_BIN / "celery"), "-A", "project", "worker", "--pool=solo", "--loglevel=WARNING"],
            cwd=ROOT, env=self.env, stdout=(self.logs / "worker.log").open("w"), stderr=subprocess.STDOUT)
        self.start_web()
        return self

    def start_web(self) -> None:
        self._web_starts += 1
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        log_path = self.logs / f"web-{self._web_starts}.log"
        self.web = subprocess.Popen(
            [str(VENV_BIN / "uvicorn"), "project.asgi:application", "--host", "127.0.0.1", "--port", str(port),
             "--lifespan", "off", "--timeout-keep-alive", "75", "--no-access-log"],
            cwd=ROOT, env=self.env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
        _wait_until_serving(self.url, self.web, log_path)

    def restart_web(self) -> None:
        _stop(self.web)
        self.start_web()

    @property
    def web_pid(self) -> int:
        assert self.web is not None
        return self.web.pid

    @property
    def worker_pid(self) -> int:
        assert self.worker is not None
        return self.worker.pid

    def client(self, username: str = "admin", password: str | None = None) -> Client:
        client = Client(self.url)
        client.login(username, password or username)
        return client

    def stop(self) -> None:
        _stop(self.web)
        _stop(self.worker)


RUN_LOCK = Path(tempfile.gettempdir()) / "modulebench-bench.lock"


@contextmanager
def one_run_at_a_time() -> Iterator[None]:
    """Bench runs on one machine take turns: they share the database names and bench/.work (a second
    run would drop the first one's databases) and the cores (each would slow the other down)."""
    with RUN_LOCK.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"another bench run holds {RUN_LOCK}; waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Harness:
    """Owns the bench databases and work directory for one `python -m bench` run."""

    base_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    work: Path = WORK
    env: dict[str, str] = field(default_factory=dict)
    keep_logs: bool = False  # set when something failed, so bench/.work/logs stays for a look
    _machine: ExitStack = field(default_factory=ExitStack, repr=False)  # holds one_run_at_a_time()

    @property
    def app_url(self) -> str:
        return url_with_db(self.base_url, APP_DB)

    @property
    def ws_url(self) -> str:
        return url_with_db(self.base_url, WS_DB)

    def __enter__(self) -> Harness:
        self._machine.enter_context(one_run_at_a_time())
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "logs").mkdir(exist_ok=True)
        log(f"creating fresh databases {APP_DB}, {WS_DB}")
        recreate_databases(self.base_url, (APP_DB, WS_DB))
        with admin_connection(self.base_url) as conn:
            conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(APP_DB)))
        harden_as_superuser(self.ws_url)  # as `make run` does: runs are capped and isolated as in production
        self.env = {**os.environ, "DATABASE_URL": self.app_url, "WORKSPACE_DATABASE_URL": self.ws_url,
                    "REDIS_PREFIX": f"mbbench{os.getpid()}", "DJANGO_SETTINGS_MODULE": "project.settings",
                    "DEBUG": "false", "LOG_LEVEL": "WARNING"}
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            subprocess.run([str(PYTHON), "manage.py", *command], cwd=ROOT, env=self.env, check=True,
                           stdout=subprocess.DEVNULL)
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            drop_databases(self.base_url, (APP_DB, WS_DB))
        finally:
            for path in self.work.iterdir():
                if path.name != "logs":
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
            if not any(exc) and not self.keep_logs:
                shutil.rmtree(self.work, ignore_errors=True)
            self._machine.close()

    @contextmanager
    def app(self) -> Iterator[App]:
        app = App(env=self.env, logs=self.work / "logs").start()
        try:
            yield app
        finally:
            app.stop()


# --- results -------------------------------------------------------------------------------------

@dataclass
class Row:
    metric: str
    ours: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = "—"
    verdict: str = ""  # "pass", "miss" or "" (informative row)


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ran_at: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    load: tuple[float, float] | None = None  # 1-minute load average at the start and end of the run

    def markdown(self) -> str:
        load = (f"; 1-minute load average {self.load[0]:.2f} at the start, {self.load[1]:.2f} at the end "
                f"({os.cpu_count()} cores)" if self.load else "")
        lines = [f"## {self.title}", "", f"_Measured {self.ran_at}{load}._", "",
                 "| metric | ModuleBench | baseline | ratio | target | result |",
                 "|---|---|---|---|---|---|"]
        for r in self.rows:
            verdict = {"pass": "**pass**", "miss": "**MISS**"}.get(r.verdict, r.verdict)
            lines.append(f"| {r.metric} | {r.ours} | {r.baseline} | {r.ratio} | {r.target} | {verdict} |")
        if self.notes:
            lines.append("")
            lines.extend(self.notes)
        return "\n".join(lines) + "\n"


def machine_facts(ws_url: str) -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / (1 << 20):.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    with psycopg.connect(ws_url, autocommit=True) as conn:
        pg = str(conn.execute("SELECT version()").fetchone()[0]).split(" on ")[0]  # type: ignore[index]
        settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                    for name in ("shared_buffers", "work_mem", "max_wal_size", "synchronous_commit")}
    import django
    import uvicorn
    return [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        f"- CPU: {os.cpu_count()} cores ({cpu}){mem}; other jobs were running on the machine, "
        f"load average at start {os.getloadavg()[0]:.2f}",
        f"- {pg} on 127.0.0.1 ({', '.join(f'{k}={v}' for k, v in settings.items())})",
        f"- Python {platform.python_version()}, Django {django.__version__}, uvicorn {uvicorn.__version__}, "
        f"psql `{PSQL}`",
    ]
