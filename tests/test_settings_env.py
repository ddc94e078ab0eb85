import pytest

from project.env import ConfigError, env_bool, env_int, env_list, env_url


def test_env_bool_reads_common_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, expected in [("yes", True), ("0", False), ("On", True), ("false", False), ("", True)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env_bool("X_FLAG", True) is expected


def test_env_bool_refuses_garbage_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError, match="X_FLAG='maybe' is not a boolean"):
        env_bool("X_FLAG", False)


def test_env_int_checks_type_and_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_NUM", "12")
    assert env_int("X_NUM", 1) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ConfigError, match="not an integer"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "3")
    with pytest.raises(ConfigError, match="below the minimum of 60"):
        env_int("X_NUM", 100, minimum=60)


def test_env_list_and_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_URL", "mysql://h/db")
    with pytest.raises(ConfigError, match="must start with one of: postgres://"):
        env_url("X_URL", "postgres://h/db", schemes=("postgres",))
    monkeypatch.delenv("X_URL")
    assert env_url("X_URL", "postgres://h/db", schemes=("postgres",)) == "postgres://h/db"


def test_env_list_refuses_values_outside_the_allowed_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQL_TYPES", "integer, money")
    with pytest.raises(ConfigError, match="SQL_TYPES: 'money' not supported"):
        env_list("SQL_TYPES", [], allowed=["integer", "text"])
    monkeypatch.setenv("SQL_TYPES", "text,integer")
    assert env_list("SQL_TYPES", [], allowed=["integer", "text"]) == ["text", "integer"]
