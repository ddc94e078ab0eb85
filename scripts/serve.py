"""`make run`'s last step: print how to get in, run web + worker, and stop everything on Ctrl-C."""

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    print(f"\n  ModuleBench is starting at http://{host}:{port}/")
    print("  Demo logins: admin/admin, modeler/modeler, viewer/viewer   (Ctrl-C stops everything)\n", flush=True)
    # --port: honcho would otherwise give the web process PORT=5000.
    honcho = subprocess.Popen([str(ROOT / ".venv/bin/honcho"), "start", "-f", str(ROOT / "Procfile"), "--port", port],
                              cwd=ROOT)
    try:
        return honcho.wait()
    except KeyboardInterrupt:
        honcho.send_signal(signal.SIGINT)
        return honcho.wait()
    finally:
        subprocess.run([sys.executable, str(ROOT / "scripts/devenv.py"), "stop"], check=False)


if __name__ == "__main__":
    sys.exit(main())
