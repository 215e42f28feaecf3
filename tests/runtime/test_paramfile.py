"""Parameter files: headings, values, scopes and precedence (SPEC.md D)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infaflow.errors import InputError
from infaflow.runtime import paramfile
from infaflow.runtime.paramfile import Scope

TEXT = """\
# a comment: no '=' here
[Global]
$$G=global
$$X=from global
[Service:IS_dev]
$$S=service
[RT.WF:wf_main]
$$X=from workflow
$$SPACES=  two leading spaces
$$EMPTY=
$$EQ=a=b
[RT.WF:wf_main.WT:wl_a]
$$X=from worklet a
[RT.WF:wf_main.WT:wl_a.WT:wl_b]
$$X=from worklet b
[RT.WF:wf_main.ST:s_load]
$$X=from wf session
[RT.ST:s_load]
$$X=from folder session
$$Y=folder session y
[s_load]
$$Y=bare session y
$$Z=bare session z
[OTHER.WF:wf_main]
$$X=other folder
"""


def values(scope: Scope) -> dict[str, str | None]:
    pf = paramfile.parse_text(TEXT, "p.par")
    return {name: value for name, value, _, _ in paramfile.values_for(pf, scope).values()}


def test_workflow_scope_narrowest_wins() -> None:
    got = values(Scope("RT", "wf_main"))
    assert got["$$X"] == "from workflow"
    assert got["$$G"] == "global"
    assert got["$$S"] == "service"
    assert got["$$SPACES"] == "  two leading spaces"  # spaces count
    assert got["$$EMPTY"] is None  # empty = NULL
    assert got["$$EQ"] == "a=b"  # name is the text before the first '='
    assert "$$Y" not in got


def test_worklet_scopes_nested() -> None:
    assert values(Scope("RT", "wf_main", ("wl_a",)))["$$X"] == "from worklet a"
    assert values(Scope("RT", "wf_main", ("wl_a", "wl_b")))["$$X"] == "from worklet b"
    # a worklet does not see its parent workflow's heading
    assert "$$SPACES" not in values(Scope("RT", "wf_main", ("wl_a",)))
    # an unknown worklet only gets global values
    assert values(Scope("RT", "wf_main", ("wl_zz",)))["$$X"] == "from global"


def test_session_scopes() -> None:
    got = values(Scope("RT", "wf_main", (), "s_load"))
    assert got["$$X"] == "from wf session"
    assert got["$$Y"] == "folder session y"  # [F.ST:s] beats [s]
    assert got["$$Z"] == "bare session z"
    assert got["$$SPACES"] == "  two leading spaces"  # a session sees its workflow's heading
    other_wf = values(Scope("RT", "wf_other", (), "s_load"))
    assert other_wf["$$X"] == "from folder session"


def test_other_folder_does_not_apply() -> None:
    assert values(Scope("OTHER", "wf_main"))["$$X"] == "other folder"
    assert values(Scope("NOPE", "wf_main"))["$$X"] == "from global"


def test_files_precedence() -> None:
    high = paramfile.parse_text("[Global]\n$$X=high\n", "high.par")
    low = paramfile.parse_text("[RT.WF:wf_main]\n$$X=low\n$$Y=only low\n", "low.par")
    got = paramfile.resolve([high, low], Scope("RT", "wf_main"))
    assert got["$$x"][1] == "high"  # a higher file wins even with a wider heading
    assert got["$$y"][1] == "only low"
    assert got["$$x"][2:] == ("high.par", 2)


def test_case_insensitive_headings_and_s_spelling() -> None:
    pf = paramfile.parse_text("[rt.wf:WF_MAIN.s:S_LOAD]\n$$A=1\n", "p")
    got = paramfile.values_for(pf, Scope("RT", "wf_main", (), "s_load"))
    assert got["$$a"][1] == "1"


def test_bad_heading_is_input_error() -> None:
    with pytest.raises(InputError) as err:
        paramfile.parse_text("[Global]\n[RT.XX:foo]\n", "bad.par")
    assert str(err.value).startswith("bad.par:2: ")


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read parameter file"):
        paramfile.load(tmp_path / "absent.par")


def test_load_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "p.par"
    path.write_bytes("[Global]\n$$N=caf\xe9\n".encode("cp1252"))
    got = paramfile.values_for(paramfile.load(path), Scope("RT", "wf"))
    assert got["$$n"][1] == "café"
