"""Makes PostgreSQL and Redis reachable for `make run` / `make test`, then prepares the databases.

Order of preference (DESIGN §2): the URLs in DATABASE_URL / WORKSPACE_DATABASE_URL / REDIS_URL;
else 127.0.0.1 defaults; else project-local servers under .local/ started from the system's
binaries; else one clear line saying what to install.

    python scripts/devenv.py ensure     # services + role + databases (prints what it did)
    python scripts/devenv.py stop       # stops the .local/ servers this project started
    python scripts/devenv.py harden     # WORKSPACE_ADMIN_URL (a superuser's URL of the workspace
                                        # database): the superuser-only part of run isolation
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from apps.engine.storage import harden_workspace  # noqa: E402  (Django-free)

LOCAL = ROOT / ".local"
DEFAULT_DB = "postgres://modulebench:modulebench@127.0.0.1:5432/modulebench"
DEFAULT_WS = "postgres://modulebench:modulebench@127.0.0.1:5432/modulebench_workspace"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


class SetupError(RuntimeError):
    pass


def say(message: str) -> None:
    print(f"[modulebench] {message}", flush=True)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def as_service_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` or `nobody` user."""
    if os.geteuid() != 0:
        return cmd
    for user in ("postgres", "nobody"):
        if subprocess.run(["id", user], capture_output=True).returncode == 0:
            return ["runuser", "-u", user, "--", *cmd]
    raise SetupError("running as root and no 'postgres' user exists to run a local PostgreSQL")


def give_to_service_user(folder: Path) -> None:
    """As root, hands a folder for a PostgreSQL cluster to the user that will run it."""
    if os.geteuid() == 0:
        user = "postgres" if subprocess.run(["id", "postgres"], capture_output=True).returncode == 0 else "nobody"
        shutil.chown(folder, user=user)


def start_local_postgres(port: int) -> None:
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise SetupError(
            f"PostgreSQL is not reachable on 127.0.0.1:{port} and initdb/pg_ctl are not installed: "
            "install PostgreSQL >= 15 (e.g. apt-get install postgresql) or set DATABASE_URL."
        )
    data = LOCAL / "pg" / "data"
    data.parent.mkdir(parents=True, exist_ok=True)
    give_to_service_user(data.parent)
    if not (data / "PG_VERSION").exists():
        say("creating a project-local PostgreSQL under .local/pg")
        subprocess.run(as_service_user([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
                       check=True, stdout=subprocess.DEVNULL)
    say(f"starting the project-local PostgreSQL on 127.0.0.1:{port}")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {data.parent}"
    subprocess.run(as_service_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(data.parent / "log"), "-w", "start"]),
                   check=True, stdout=subprocess.DEVNULL)


def start_local_redis(port: int) -> None:
    server = shutil.which("redis-server")
    if not server:
        raise SetupError(
            f"Redis is not reachable on 127.0.0.1:{port} and redis-server is not installed: "
            "install Redis (e.g. apt-get install redis-server) or set REDIS_URL."
        )
    folder = LOCAL / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    say(f"starting a project-local Redis on 127.0.0.1:{port}")
    subprocess.run([server, "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "",
                    "--appendonly", "no", "--dir", str(folder), "--pidfile", str(folder / "redis.pid"),
                    "--logfile", str(folder / "redis.log")], check=True)
    for _ in range(50):
        if port_open("127.0.0.1", port):
            return
        time.sleep(0.1)
    raise SetupError("the project-local Redis did not start; see .local/redis/redis.log")


def ensure_postgres(db_url: str, ws_url: str, explicit: bool) -> None:
    parts = urlsplit(db_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if not port_open(host, port):
        if explicit:
            raise SetupError(f"DATABASE_URL points at {host}:{port}, where nothing answers.")
        start_local_postgres(port)
    if explicit:
        check_connect(db_url, "DATABASE_URL")
        check_connect(ws_url, "WORKSPACE_DATABASE_URL")
        return
    create_role_and_databases(host, port, db_url, ws_url)


def check_connect(url: str, name: str) -> None:
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        raise SetupError(f"cannot connect with {name}: {str(exc).strip().splitlines()[0]}") from None


def create_role_and_databases(host: str, port: int, db_url: str, ws_url: str) -> None:
    app_parts = urlsplit(db_url)
    role, password = app_parts.username or "modulebench", app_parts.password or "modulebench"
    app_db, ws_db = app_parts.path.lstrip("/"), urlsplit(ws_url).path.lstrip("/")
    try:
        admin = psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True,
                                connect_timeout=3)
    except psycopg.Error:
        say("no superuser access on the default server; assuming the role and databases exist")
        check_connect(db_url, "the default app database")
        return
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        verb = "ALTER" if exists else "CREATE"
        admin.execute(sql.SQL("{} ROLE {} LOGIN CREATEROLE CREATEDB PASSWORD {}").format(
            sql.SQL(verb), sql.Identifier(role), sql.Literal(password)))
        for name in (app_db, ws_db):
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                say(f"creating database {name}")
                admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(role)))
        # Run roles (one per module run) must never reach Django's tables (DESIGN §2).
        admin.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(app_db)))
    with psycopg.connect(host=host, port=port, user="postgres", dbname=ws_db, autocommit=True) as ws_admin:
        harden_workspace(ws_admin, app_role=role)


def harden(admin_url: str, db_url: str) -> None:
    """For a workspace database on another cluster (README): the superuser-only part of isolation."""
    if not admin_url:
        raise SetupError("set WORKSPACE_ADMIN_URL to a superuser's URL of the workspace database")
    try:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            harden_workspace(admin, app_role=urlsplit(db_url).username or "modulebench")
    except psycopg.Error as exc:
        raise SetupError(f"WORKSPACE_ADMIN_URL: {exc}".strip()) from None
    say("workspace database hardened")


def ensure_redis(url: str, explicit: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    if port_open(host, port):
        return
    if explicit:
        raise SetupError(f"REDIS_URL points at {host}:{port}, where nothing answers.")
    start_local_redis(port)


def stop_local() -> None:
    data = LOCAL / "pg" / "data"
    pg_ctl = find_binary("pg_ctl")
    if (data / "postmaster.pid").exists() and pg_ctl:
        say("stopping the project-local PostgreSQL")
        subprocess.run(as_service_user([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]), check=False,
                       stdout=subprocess.DEVNULL)
    pidfile = LOCAL / "redis" / "redis.pid"
    if pidfile.exists():
        say("stopping the project-local Redis")
        with contextlib.suppress(ValueError, ProcessLookupError):
            os.kill(int(pidfile.read_text().strip()), 15)
        pidfile.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "ensure"
    try:
        if command == "ensure":
            (LOCAL / "static").mkdir(parents=True, exist_ok=True)
            db_url = os.environ.get("DATABASE_URL") or DEFAULT_DB
            ws_url = os.environ.get("WORKSPACE_DATABASE_URL") or DEFAULT_WS
            ensure_postgres(db_url, ws_url, explicit=bool(os.environ.get("DATABASE_URL")))
            ensure_redis(os.environ.get("REDIS_URL") or DEFAULT_REDIS, explicit=bool(os.environ.get("REDIS_URL")))
            return 0
        if command == "stop":
            stop_local()
            return 0
        if command == "harden":
            harden(os.environ.get("WORKSPACE_ADMIN_URL", ""), os.environ.get("DATABASE_URL") or DEFAULT_DB)
            return 0
    except (SetupError, subprocess.CalledProcessError) as exc:
        print(f"[modulebench] cannot start: {exc}", file=sys.stderr)
        return 1
    print(f"usage: {argv[0]} ensure|stop|harden", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
