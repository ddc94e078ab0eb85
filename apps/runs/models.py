from django.conf import settings
from django.db import models


class HealthPing(models.Model):
    """Written by the web process, answered by a worker: proves the queue and a worker work."""

    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"ping {self.pk} answered by {self.worker or 'nobody yet'}"


class Stage(models.TextChoices):
    STARTED = "STARTED"
    SETUP_SCRIPT = "SETUP_SCRIPT"
    USER_SCRIPT = "USER_SCRIPT"
    SUBMODULES = "SUBMODULES"
    TEARDOWN_SCRIPT = "TEARDOWN_SCRIPT"
    COMPLETED = "COMPLETED"


class Result(models.TextChoices):
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    TIMEOUT = "TIMEOUT"


class Run(models.Model):
    """A module's history record (DESIGN §3). `result` stays empty while the run is going.

    datasets: [{"path", "placeholder", "direction": IN|OUT, "dataset": id, "dataset_name", "version", "mode",
                "internal"}]: the module's own (path "") and, after a success, the internal datasets
                kept (path = the producing submodule, direction OUT, internal true)
    parameters: [{"path", "name", "mode", "sql_type", "input_value", "output_value"}]: the module's own
                (path "") and the internal parameters kept (path = the submodule)
    error: {"message", "line", "column", "submodule", "sqlstate", "detail", "hint"} or null"""

    class Mode(models.TextChoices):
        RUN = "run"
        PROCESS = "process"

    module = models.ForeignKey("modules.Module", on_delete=models.CASCADE, related_name="runs")
    run_number = models.PositiveIntegerField()
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.RUN)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    type_version = models.ForeignKey("moduletypes.ModuleTypeVersion", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.STARTED)
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    worker = models.CharField(max_length=200, blank=True)
    error = models.JSONField(null=True, blank=True)
    datasets = models.JSONField(default=list, blank=True)
    parameters = models.JSONField(default=list, blank=True)
    results = models.JSONField(default=dict, blank=True)  # {path: final progressive result}
    steering = models.JSONField(default=list, blank=True)  # [{path, parameters, at, user}] applied
    # steering changes asked for (POST /api/runs/{id}/steer), in order; the worker applies them
    steer_requests = models.JSONField(default=list, blank=True)
    # {name: "value as text"}: the module's IN parameter values this run used instead of its own
    # (POST /api/modules/{id}/run `parameters`, docs/aggregation.md)
    parameter_overrides = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["module", "run_number"], name="unique_run_number")]

    def __str__(self) -> str:
        return f"{self.module} run {self.run_number}"

    @property
    def project_id(self) -> int:
        return self.module.project_id

    @property
    def is_finished(self) -> bool:
        return bool(self.result)


class StepRecord(models.Model):
    """One (sub)module's execution inside a run: its exact scripts, timing and outcome. `path` is
    the submodule names from the top joined by "/" ("" for a simple module).

    datasets: [{"placeholder", "mode", "direction": IN|OUT, "dataset", "dataset_name", "version",
                "internal": bool}]
    parameters: [{"name", "mode", "sql_type", "input_value", "output_value"}]"""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    path = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=300)
    type_version = models.ForeignKey("moduletypes.ModuleTypeVersion", on_delete=models.PROTECT, related_name="+")
    sandbox_key = models.CharField(max_length=60, blank=True)
    setup_script = models.TextField(blank=True)
    user_script = models.TextField(blank=True)
    teardown_script = models.TextField(blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.STARTED)
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    datasets = models.JSONField(default=list, blank=True)
    parameters = models.JSONField(default=list, blank=True)
    # a progressive step's latest result: {kind, result, final, state, done, total} (docs/progressive.md)
    progressive = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "id"]

    def __str__(self) -> str:
        return f"{self.run} / {self.name}"


class RunLog(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="log")
    path = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    level = models.CharField(max_length=10)
    message = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.level} {self.message[:60]}"


class AggregationState(models.Model):
    """The state of one aggregation submodule (`path`; "" for a module whose type is an aggregation
    type) of a module, kept across its runs (docs/aggregation.md). The rows are a hidden dataset
    (`dataset`) in the workspace; `version` is the state version now published. `runs`: successful
    run-mode runs aggregated since the last successful process; `rows`: rows in the state now."""

    module = models.ForeignKey("modules.Module", on_delete=models.CASCADE, related_name="aggregation_states")
    path = models.CharField(max_length=200, blank=True)
    dataset = models.ForeignKey("datasets.Dataset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)
    rows = models.BigIntegerField(default=0)
    last_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_process = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["module_id", "path"]
        constraints = [models.UniqueConstraint(fields=["module", "path"], name="unique_aggregation_state")]

    def __str__(self) -> str:
        return f"{self.module} state {self.path or '(module)'}"
