"""A pytest plugin (`-p tests.redis_namespace`) loaded before Django reads its settings:
gives this test run its own Redis namespace, so concurrent runs never hear each other."""

import os

os.environ.setdefault("REDIS_PREFIX", f"mbtest{os.getpid()}")
