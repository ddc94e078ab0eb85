"""The EMF document's example: emission factors × #{increase_factor}, as a type and a module."""

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset
from apps.modules.models import Module
from apps.modules.services import module_create
from apps.moduletypes.builtins import ensure_builtins
from apps.moduletypes.models import ModuleType
from apps.moduletypes.services import module_type_create

EMF_ALGORITHM = """-- Scale every emission factor (the EMF module documentation's example).
INSERT INTO ${output_emission_factors_dataset}
    (Fuel_Type, Pollutant, Year, Emission_Factor, Comments)
SELECT
    ief.Fuel_Type,
    ief.Pollutant,
    ief.Year,
    ief.Emission_Factor * #{increase_factor},
    ief.Comments
FROM ${input_emission_factors_dataset} ief;
"""

HISTOGRAM_DEMO = "Histogram of Measurements 1M"
HISTOGRAM_DEMO_PACE = "100000"  # rows/s: 1M rows take ~10 s, time to watch partial charts and steer


def seed_demo_modules(*, project: Project, owner: User) -> list[str]:
    created: list[str] = []
    source = Dataset.objects.filter(name="Emission Factors 2016", removed_at__isnull=True).first()
    if source is None:
        return created
    module_type = ModuleType.objects.filter(name="Scale Emission Factors").first()
    if module_type is None:
        type_id = source.dataset_type_id
        module_type = module_type_create(
            name="Scale Emission Factors", kind="simple", project=project, creator=owner,
            description="Multiplies every emission factor by increase_factor.",
            version={"name": "Initial Version", "algorithm": EMF_ALGORITHM,
                     "dataset_slots": [
                         {"placeholder": "input_emission_factors_dataset", "mode": "IN", "dataset_type": type_id,
                          "is_optional": False, "description": "factors to scale"},
                         {"placeholder": "output_emission_factors_dataset", "mode": "OUT", "dataset_type": type_id,
                          "is_optional": False, "description": "scaled factors"}],
                     "parameter_slots": [{"name": "increase_factor", "sql_type": "double precision", "mode": "IN",
                                          "is_optional": False, "description": "multiplier"}]})
        created.append(module_type.name)
    if not Module.objects.filter(name="Emission Factors +15%").exists():
        module_create(name="Emission Factors +15%", type_version=module_type.versions.get(number=0), project=project,
                      creator=owner, description="The EMF example, scaling 2016 factors by 1.15.",
                      dataset_bindings={
                          "input_emission_factors_dataset": {"dataset": source.pk, "version": 0},
                          "output_emission_factors_dataset": {"output_method": "NEW",
                                                              "name_pattern": "Emission Factors +15% #${run.id}"}},
                      parameter_bindings={"increase_factor": "1.15"})
        created.append("Emission Factors +15%")
    return created


def seed_demo_progressive(*, project: Project, owner: User) -> list[str]:
    """A module of the built-in Histogram over the large demo dataset (docs/progressive.md, "Demo")."""
    from apps.datasets.demo import MEASUREMENTS_NAME

    source = Dataset.objects.filter(name=MEASUREMENTS_NAME, removed_at__isnull=True).first()
    if source is None or Module.objects.filter(name=HISTOGRAM_DEMO).exists():
        return []
    ensure_builtins()
    histogram = ModuleType.objects.get(name="Histogram", project=None, kind=ModuleType.Kind.PROGRESSIVE)
    module_create(name=HISTOGRAM_DEMO, type_version=histogram.versions.get(number=0), project=project, creator=owner,
                  description="A progressive histogram of x, paced at 100,000 rows/s so a run lasts about 10 s: "
                              "watch the partial charts and steer the bin count while it runs.",
                  dataset_bindings={"input": {"dataset": source.pk, "version": 0}},
                  parameter_bindings={"column": "x", "bins": "32", "rows_per_second": HISTOGRAM_DEMO_PACE})
    return [HISTOGRAM_DEMO]
