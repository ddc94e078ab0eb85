from django.conf import settings
from django.db import models


class EditLock(models.Model):
    """Who is editing a module or module type. A lock not renewed for LOCK_TIMEOUT has lapsed:
    it is still a row, but nobody is bound by it (apps.locks.selectors.active_locks)."""

    class Kind(models.TextChoices):
        MODULE = "module", "Module"
        MODULE_TYPE = "module-type", "Module type"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    renewed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="unique_edit_lock")]
        indexes = [models.Index(fields=["kind", "renewed_at"], name="edit_lock_kind_renewed")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} locked by {self.user_id}"
