"""The Celery app: Redis broker, tasks discovered in every Django app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("modulebench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
