"""Demo datasets: the EMF document's emission factors, ready for its `increase_factor` example."""

import io

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset, DatasetType
from apps.datasets.services import (
    dataset_create,
    dataset_import,
    dataset_type_create,
    version_finalize,
)

EMISSION_FACTOR_COLUMNS = [
    {"name": "fuel_type", "sql_type": "varchar"},
    {"name": "pollutant", "sql_type": "varchar"},
    {"name": "year", "sql_type": "integer"},
    {"name": "emission_factor", "sql_type": "double precision"},
    {"name": "comments", "sql_type": "text"},
]
EMISSION_FACTORS_CSV = """fuel_type,pollutant,year,emission_factor,comments
Coal,NOx,2016,0.95,bituminous
Coal,SO2,2016,2.1,bituminous
Natural Gas,NOx,2016,0.1,
Natural Gas,CO,2016,0.084,
Diesel,PM2.5,2016,0.31,on-road
Diesel,NOx,2016,1.6,on-road
Wood,PM2.5,2016,0.57,"residential, stoves"
Oil,SO2,2016,1.15,residual
"""


def seed_demo_datasets(*, project: Project, owner: User) -> list[str]:
    created: list[str] = []
    dataset_type = DatasetType.objects.filter(name="Emission Factors").first()
    if dataset_type is None:
        dataset_type = dataset_type_create(name="Emission Factors", description="Emission factor by fuel and pollutant",
                                           columns=EMISSION_FACTOR_COLUMNS, creator=owner)
        created.append(dataset_type.name)
    if not Dataset.objects.filter(name="Emission Factors 2016", removed_at__isnull=True).exists():
        dataset = dataset_create(name="Emission Factors 2016", dataset_type=dataset_type, project=project,
                                 creator=owner, description="Input of the EMF example module",
                                 keywords={"SOURCE": "EMF module documentation example"})
        version = dataset_import(dataset=dataset, user=owner, stream=io.BytesIO(EMISSION_FACTORS_CSV.encode()))
        version_finalize(version=version)
        created.append(dataset.name)
    return created
