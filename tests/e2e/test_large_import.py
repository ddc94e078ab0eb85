"""A large CSV through the real web server (uvicorn, ASGI): the body is read from the file Django
spooled it to, loaded in two halves at once as segments of the dataset table, and exported back in the
file's order. (The browser test imports a small file; this is the path a large upload takes.)"""

import json
import urllib.request
from typing import Any

import psycopg

from apps.engine import bulk_load

ROWS = 450_000  # about 26 MB: above bulk_load.PARALLEL_MIN_BYTES, so two halves
HEADER = "fuel_type,pollutant,year,emission_factor,comments\n"


def _call(live_url: str, method: str, path: str, *, token: str | None = None, body: bytes | None = None,
          content_type: str = "application/json") -> Any:
    headers = {"Content-Type": content_type, **({"Authorization": f"Token {token}"} if token else {})}
    request = urllib.request.Request(f"{live_url}{path}", data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        data = response.read()
        return json.loads(data) if response.headers.get_content_type() == "application/json" else data


def _csv() -> bytes:
    lines = (f'Coal,"NOx, {n % 7}",{n},{n + 0.5},"row {n}\nsecond ""line"""\n' for n in range(ROWS))
    return (HEADER + "".join(lines)).encode()


def test_a_large_upload_loads_in_two_halves_and_exports_in_file_order(live_url: str,
                                                                       app_env: dict[str, str]) -> None:
    body = _csv()
    assert len(body) >= bulk_load.PARALLEL_MIN_BYTES
    token = _call(live_url, "POST", "/api/auth/token",
                  body=json.dumps({"username": "modeler", "password": "modeler"}).encode())["token"]
    project = next(p["id"] for p in _call(live_url, "GET", "/api/projects", token=token) if p["name"] == "Demo")
    dtype = next(t["id"] for t in _call(live_url, "GET", "/api/dataset-types", token=token)
                 if t["name"] == "Emission Factors")
    dataset = _call(live_url, "POST", "/api/datasets", token=token, body=json.dumps(
        {"name": "Large upload", "dataset_type": dtype, "project": project}).encode())["id"]

    version = _call(live_url, "POST", f"/api/datasets/{dataset}/import?version_name=Large", token=token,
                    body=body, content_type="text/csv")
    assert (version["number"], version["name"], version["row_count"]) == (0, "Large", ROWS)
    with psycopg.connect(app_env["WORKSPACE_DATABASE_URL"]) as conn:
        segments = conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass",
                                [f"mb_data.ds_{dataset}"]).fetchone()
    assert segments == (2,)
    exported = _call(live_url, "GET", f"/api/datasets/{dataset}/export?version=0", token=token)
    assert exported == body  # every value, in the file's order
