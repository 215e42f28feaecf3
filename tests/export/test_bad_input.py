"""Bad input through the real command line: exit code 2, one ``file:line: message`` line, no traceback,
under 5 s, in bounded memory (the process runs with a 512 MiB address-space limit). And through
``infaflow.load``: an :class:`InputError` with the file and the line."""

from __future__ import annotations

import gzip
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import infaflow
from infaflow.errors import InputError

MEMORY_LIMIT = 512 * 1024 * 1024
CLI = [sys.executable, "-c", "from infaflow.cli import main; main()"]

GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="11/25/2026 04:00:00" REPOSITORY_VERSION="188.97">
<REPOSITORY NAME="rep" VERSION="188" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="F" SHARED="NOTSHARED">
<WORKFLOW NAME="wf_test" ISVALID="YES" ISENABLED="YES">
<TASK NAME="Start" TYPE="Start" REUSABLE="NO"/>
<TASK NAME="cmd_a" TYPE="Command" REUSABLE="NO">
<VALUEPAIR NAME="c1" VALUE="echo a" EXECORDER="1"/>
</TASK>
<TASK NAME="cmd_b" TYPE="Command" REUSABLE="NO">
<VALUEPAIR NAME="c1" VALUE="echo b" EXECORDER="1"/>
</TASK>
<TASKINSTANCE NAME="Start" TASKNAME="Start" TASKTYPE="Start" REUSABLE="NO"/>
<TASKINSTANCE NAME="cmd_a" TASKNAME="cmd_a" TASKTYPE="Command" REUSABLE="NO" ISENABLED="YES"/>
<TASKINSTANCE NAME="cmd_b" TASKNAME="cmd_b" TASKTYPE="Command" REUSABLE="NO" ISENABLED="YES"/>
<WORKFLOWLINK FROMTASK="Start" TOTASK="cmd_a"/>
<WORKFLOWLINK FROMTASK="cmd_a" TOTASK="cmd_b" CONDITION="$cmd_a.Status = SUCCEEDED"/>
</WORKFLOW>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""

LAUGHS = "\n".join(f' <!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10))
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE POWERMART [
 <!ENTITY lol0 "lol">
{LAUGHS}
]>
<POWERMART CREATION_DATE="&lol9;"/>
"""

XXE = """<?xml version="1.0"?>
<!-- exported by someone -->
<!DOCTYPE POWERMART [
  <!ENTITY secret SYSTEM "file://{secret}">
]>
<POWERMART CREATION_DATE="&secret;">
<REPOSITORY NAME="&secret;"/>
</POWERMART>
"""


def _run(*args: str) -> tuple[int, str, str, float]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    start = time.monotonic()
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, preexec_fn=limit)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _replace(old: str, new: str) -> Callable[[Path], str]:
    def make(_: Path) -> str:
        assert old in GOOD
        return GOOD.replace(old, new)

    return make


def _secret(tmp_path: Path) -> str:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    return XXE.replace("{secret}", str(secret))


#: name -> (content maker, expected line, a phrase the message must contain)
CASES: dict[str, tuple[Callable[[Path], str | bytes], int, str]] = {
    "zero_bytes": (lambda _: b"", 1, "empty file (0 bytes)"),
    "empty": (lambda _: "  \n\n\t\n", 1, "empty file (only blank characters)"),
    "binary": (lambda _: gzip.compress(GOOD.encode()), 1, "binary file, not XML"),
    "binary_later_nul": (lambda _: b"<POWERMART>\n\n\x00\x01\x02</POWERMART>", 3, "binary file, not XML"),
    "truncated": (lambda _: GOOD[: GOOD.index('<TASKINSTANCE NAME="cmd_a"') + 30], 15, "truncated XML"),
    "truncated_at_line_end": (lambda _: GOOD[: GOOD.index("</FOLDER>")], 20, "truncated XML"),
    "not_xml": (lambda _: "NAME,VALUE\nx,1\n", 1, "not XML: the file starts with 'NAME,VALUE'"),
    "not_well_formed": (
        _replace('<TASK NAME="cmd_b"', '<TASK NAME="cmd_b" NAME="again"'),
        11,
        "not well-formed XML: Attribute NAME redefined",
    ),
    "wrong_root": (
        lambda _: '<?xml version="1.0"?>\n<!-- hi -->\n<html><body/></html>\n',
        3,
        "root element is <html>, expected <POWERMART>",
    ),
    "xml_declaration_only": (lambda _: '<?xml version="1.0"?>\n<!-- nothing -->\n', 3, "no XML element"),
    "external_entity": (_secret, 4, "external entity 'secret' refers to"),
    "billion_laughs": (lambda _: BILLION_LAUGHS, 3, "entity declaration 'lol0' refused"),
    "parameter_entity": (
        lambda _: (
            '<?xml version="1.0"?>\n<!DOCTYPE POWERMART [\n'
            '<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;\n]>\n<POWERMART/>\n'
        ),
        3,
        "external parameter entity 'ext'",
    ),
    "undeclared_entity": (
        _replace('VALUE="echo a"', 'VALUE="echo &nbsp; a"'),
        9,
        "Entity 'nbsp' not defined: exports use only",
    ),
    "link_to_missing_task": (
        _replace('TOTASK="cmd_b" CONDITION', 'TOTASK="cmd_x" CONDITION'),
        18,
        "names unknown task 'cmd_x'",
    ),
    "link_cycle": (
        _replace("</WORKFLOW>", '<WORKFLOWLINK FROMTASK="cmd_b" TOTASK="cmd_a"/>\n</WORKFLOW>'),
        0,
        "cycle",
    ),
    "unknown_task_type": (
        _replace('TASKNAME="cmd_b" TASKTYPE="Command"', 'TASKNAME="cmd_b" TASKTYPE="Kommand"'),
        16,
        'unknown task type TASKTYPE="Kommand"',
    ),
    "duplicate_task_instance": (
        _replace('TASKINSTANCE NAME="cmd_b"', 'TASKINSTANCE NAME="cmd_a"'),
        16,
        "duplicate task instance name 'cmd_a'",
    ),
    "wrong_encoding": (
        lambda _: GOOD.replace('VALUE="echo a"', 'VALUE="caf\u00e9"').encode("cp1252"),
        9,
        "are not valid UTF-8, the encoding the file declares",
    ),
}

#: Problems the loader raises itself (the others are workflow checks that ``infaflow validate`` runs).
LOAD_RAISES = set(CASES) - {"link_to_missing_task", "link_cycle"}


def test_the_good_export_is_valid(tmp_path: Path) -> None:
    path = _write(tmp_path, "good.xml", GOOD)
    code, out, err, _ = _run("validate", str(path))
    assert (code, err) == (0, "")
    assert out.strip() == "1 file: 1 valid, 0 with errors (0 errors, 0 warnings)"
    infaflow.load(path)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_through_the_command_line(case: str, tmp_path: Path) -> None:
    make, line, phrase = CASES[case]
    path = _write(tmp_path, f"{case}.xml", make(tmp_path))
    code, out, err, seconds = _run("validate", str(path))
    lines = err.splitlines()
    errors = [entry for entry in lines if "warning:" not in entry]
    assert code == 2, err
    assert "Traceback" not in err + out
    assert len(errors) == 1, err
    match = re.fullmatch(rf"{re.escape(str(path))}:(\d+): (.+)", errors[0])
    assert match is not None, errors[0]
    if line:
        assert int(match.group(1)) == line, errors[0]
    else:
        assert int(match.group(1)) > 0
    assert phrase in match.group(2), errors[0]
    assert "TOP-SECRET-VALUE" not in err + out
    assert seconds < 5


@pytest.mark.parametrize("case", sorted(LOAD_RAISES))
def test_bad_input_through_load(case: str, tmp_path: Path) -> None:
    make, line, phrase = CASES[case]
    path = _write(tmp_path, f"{case}.xml", make(tmp_path))
    with pytest.raises(InputError) as info:
        infaflow.load(path)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert phrase in info.value.message
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_a_bad_file_never_stops_the_batch(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.xml", GOOD)
    empty = _write(tmp_path, "empty.xml", b"")
    missing = tmp_path / "missing.xml"
    code, out, err, _ = _run("validate", str(empty), str(missing), str(good), str(tmp_path))
    assert code == 2
    assert "Traceback" not in err
    # The directory is searched for *.xml; the files it holds were named already and are read once.
    assert out.strip() == "3 files: 1 valid, 2 with errors (2 errors, 0 warnings)"
    assert err.splitlines() == [
        f"{missing}: no such file or directory",
        f"{empty}:1: empty file (0 bytes): not a PowerCenter export",
    ]


def test_json_report(tmp_path: Path) -> None:
    import json

    good = _write(tmp_path, "good.xml", GOOD)
    bad = _write(tmp_path, "bad.xml", CASES["unknown_task_type"][0](tmp_path))
    code, out, err, _ = _run("validate", "--format", "json", str(good), str(bad))
    assert code == 2 and err == ""
    report = json.loads(out)
    assert [r["valid"] for r in report] == [True, False]
    assert report[1]["problems"][0]["line"] == 16
    assert report[1]["problems"][0]["severity"] == "error"


def test_lenient_turns_schema_problems_into_warnings(tmp_path: Path) -> None:
    text = GOOD.replace(
        '<FOLDER NAME="F" SHARED="NOTSHARED">', '<FOLDER NAME="F" SHARED="NOTSHARED" COLOUR="red">'
    )
    path = _write(tmp_path, "lenient.xml", text)
    code, _, err, _ = _run("validate", str(path))
    assert code == 2
    assert (
        err.strip()
        == f"{path}:5: <FOLDER>: attribute COLOUR is not allowed (powrmart.dtd does not declare it)"
    )
    code, out, err, _ = _run("validate", "--lenient", str(path))
    assert code == 0
    assert err.strip() == (
        f"{path}:5: warning: <FOLDER>: attribute COLOUR is not allowed (powrmart.dtd does not declare it)"
    )
    assert "1 valid" in out


def test_lenient_still_refuses_unsafe_or_unreadable_files(tmp_path: Path) -> None:
    path = _write(tmp_path, "bomb.xml", BILLION_LAUGHS)
    code, _, err, _ = _run("validate", "--lenient", str(path))
    assert code == 2 and "refused" in err
