"""Edit locks of modules, as the list shows them; the locks themselves belong to apps.locks."""

from collections.abc import Iterable
from typing import Any


def module_locks(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """{module id: {user, user_name, since, expires_at}} for the locks in force; at most one query."""
    from apps.locks.selectors import active_locks

    return active_locks(kind="module", ids=ids)
