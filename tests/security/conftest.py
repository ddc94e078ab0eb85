from tests.engine.conftest import make_table, ws  # noqa: F401  (shared real-database fixtures)
