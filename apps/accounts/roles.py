"""Roles of DESIGN §3, ordered so that a higher role can do everything a lower one can."""

from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    MODELER = "modeler", "Modeler"
    ADMIN = "admin", "Admin"


RANK = {Role.VIEWER: 1, Role.MODELER: 2, Role.ADMIN: 3}


def role_at_least(role: str | None, required: str) -> bool:
    if role is None:
        return False
    return RANK[Role(role)] >= RANK[Role(required)]
