from django.db import models


class HealthPing(models.Model):
    """Written by the web process, answered by a worker: proves the queue and a worker work."""

    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"ping {self.pk} answered by {self.worker or 'nobody yet'}"
