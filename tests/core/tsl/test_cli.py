"""``mtv-mcp tsl QUERY --input FILE``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mtv_mcp.server.cli import main


def test_prints_items_and_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "vms.json"
    source.write_text(json.dumps([{"name": "a", "memoryMB": 8192}, {"name": "b", "memoryMB": 1024}]))
    assert main(["tsl", "select name where memoryMB > 4096 or guestOS = 'x'", "--input", str(source)]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["items"] == [{"name": "a"}]
    assert output["warnings"][0]["message"].startswith("the field `guestOS` exists in no record")


def test_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('[{"name": "a"}, {"name": "b"}]'))
    assert main(["tsl", "order by name desc", "--input", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == {"items": [{"name": "b"}, {"name": "a"}], "warnings": []}


def test_bad_query_exits_2_with_caret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "vms.json"
    source.write_text("[]")
    assert main(["tsl", "memoryMB >", "--input", str(source)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "the query ends too early (column 11)" in captured.err
    assert "            ^" in captured.err


@pytest.mark.parametrize(
    ("content", "words"), [("{}", "JSON array of objects"), ("[1]", "array of objects"), ("[", "not valid JSON")]
)
def test_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, words: str) -> None:
    source = tmp_path / "vms.json"
    source.write_text(content)
    assert main(["tsl", "x = 1", "--input", str(source)]) == 2
    assert words in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tsl", "x = 1", "--input", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
