import pytest

from catalog.env import ConfigError, env_bool, env_int, env_list, env_parsed


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("No", False), ("off", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ConfigError, match=r"^SOME_FLAG='maybe': use true or false$"):
        env_bool("SOME_FLAG", True)


def test_unset_and_blank_variables_take_the_default(monkeypatch):
    monkeypatch.delenv("SOME_NUMBER", raising=False)
    assert env_int("SOME_NUMBER", 7) == 7
    monkeypatch.setenv("SOME_NUMBER", "  ")
    assert env_int("SOME_NUMBER", 7) == 7


def test_env_int_refuses_words_and_out_of_range_numbers(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "eight")
    with pytest.raises(ConfigError, match="SOME_NUMBER='eight': expected a whole number"):
        env_int("SOME_NUMBER", 1)
    monkeypatch.setenv("SOME_NUMBER", "70000")
    with pytest.raises(ConfigError, match="SOME_NUMBER=70000: expected a number from 1 to 65535"):
        env_int("SOME_NUMBER", 1, minimum=1, maximum=65535)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("SOME_HOSTS", "a.example, b.example,,")
    assert env_list("SOME_HOSTS", []) == ["a.example", "b.example"]


def test_env_parsed_turns_parser_errors_into_one_line(monkeypatch):
    monkeypatch.setenv("SOME_URL", "nonsense")

    def parse(raw: str) -> str:
        raise ValueError("")

    with pytest.raises(ConfigError) as caught:
        env_parsed("SOME_URL", parse, "", expected="a URL")
    assert str(caught.value) == "SOME_URL='nonsense': expected a URL"
