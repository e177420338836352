"""The operator's command line explains itself: a version, and help on every argument."""

import argparse
from importlib.metadata import version

import pytest

from app.cli import build_parser, main


def every_parser(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found += every_parser(child)
    return found


def test_every_command_and_argument_has_help() -> None:
    bare = [
        f"{parser.prog}: {'/'.join(action.option_strings) or action.dest}"
        for parser in every_parser(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction) and not action.help
    ]
    assert bare == []


def test_version_names_the_installed_package(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"wijkteam-kpi {version('wijkteam-kpi')}"
