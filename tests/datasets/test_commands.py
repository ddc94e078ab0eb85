from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from apps.datasets.models import Dataset
from tests.datasets.conftest import HEADER

pytestmark = pytest.mark.django_db


def test_import_then_export_from_the_command_line(dataset: Dataset, users: dict[str, User], tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(HEADER + 'coal,NOx,2020,1.5,2020-01-01,"a, b"\n', encoding="utf-8")
    out = StringIO()
    call_command("import_dataset", dataset.name, str(source), "--as", "modeler", stdout=out)
    assert "imported 1 rows" in out.getvalue()
    target = tmp_path / "out.csv"
    call_command("export_dataset", str(dataset.pk), "--dataset-version", "0", "-o", str(target))
    assert target.read_text().replace("\r\n", "\n") == source.read_text()


def test_command_line_errors_are_one_clear_line(dataset: Dataset, users: dict[str, User], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "coal,NOx,twenty,1,2020-01-01,x\n")
    with pytest.raises(CommandError, match=r"row 1, column year: invalid input syntax for type integer"):
        call_command("import_dataset", dataset.name, str(bad), "--as", "modeler")
    bad.write_text(HEADER + "coal,NOx,twenty,1,2020-01-01,x\ncoal,NOx,2020,1,2020-01-01,x\ngas,NOx,2020,x,,\n")
    with pytest.raises(CommandError) as several:
        call_command("import_dataset", dataset.name, str(bad), "--as", "modeler")
    assert str(several.value).splitlines()[1:] == [
        "  row 1, column year: invalid input syntax for type integer: \"twenty\"",
        "  row 3, column emission_factor: invalid input syntax for type double precision: \"x\""]
    with pytest.raises(CommandError, match="No dataset named"):
        call_command("import_dataset", "nope", str(bad))
    with pytest.raises(CommandError, match="not a readable file"):
        call_command("import_dataset", dataset.name, str(tmp_path / "missing.csv"), "--as", "modeler")
    with pytest.raises(CommandError, match="has no version 3"):
        call_command("export_dataset", dataset.name, "--dataset-version", "3")
