import os

from django.conf import settings


def test_test_runs_use_their_own_redis_namespace() -> None:
    assert os.environ["REDIS_PREFIX"] == settings.REDIS_PREFIX
    assert settings.REDIS_PREFIX != "mb"
    assert settings.CELERY_TASK_DEFAULT_QUEUE.startswith(settings.REDIS_PREFIX)
