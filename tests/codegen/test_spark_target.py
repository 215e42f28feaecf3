"""Where sessions run: the precedence of command line, SPARK_REMOTE, infaflow.toml and the warm engine; the
spark-submit and Spark Connect server command lines; the directories made absolute for a remote JVM."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main
from infaflow.codegen import engine
from infaflow.codegen.executor import _absolute
from infaflow.codegen.spark_target import SparkTarget, resolve_target
from infaflow.codegen.submit import deploy_mode, submit_command
from infaflow.errors import InputError

ENGINE = "sc://127.0.0.1:15002"


def _target(tmp: Path, toml: str | None = None, env: dict[str, str] | None = None, **cli) -> SparkTarget:
    if toml is not None:
        (tmp / "infaflow.toml").write_text(toml, encoding="utf-8")
    return resolve_target(cwd=tmp, env=env or {}, **cli)


@pytest.mark.parametrize(
    ("cli", "env", "toml", "engine_url", "expected"),
    [
        ({}, {}, None, None, SparkTarget()),
        ({}, {}, None, ENGINE, SparkTarget(remote=ENGINE, origin="warm engine")),
        (
            {"master": "spark://h:7077"},
            {"SPARK_REMOTE": "sc://r:1"},
            None,
            ENGINE,
            SparkTarget(master="spark://h:7077", origin="command line"),
        ),
        (
            {},
            {"SPARK_REMOTE": "sc://r:1"},
            '[spark]\nmaster = "yarn"\n',
            ENGINE,
            SparkTarget(remote="sc://r:1", origin="SPARK_REMOTE"),
        ),
        (
            {},
            {},
            '[spark]\nmaster = "yarn"\nsubmit = true\n',
            ENGINE,
            SparkTarget(master="yarn", submit=True, origin="FILE"),
        ),
        (
            {"submit": True},
            {},
            '[spark]\nmaster = "spark://m:7077"\n',
            None,
            SparkTarget(master="spark://m:7077", submit=True, origin="command line"),
        ),
        (
            {"conf": ("a=2", "c=3")},
            {},
            '[spark.conf]\n"a" = "1"\n"b" = "x=y"\n',
            None,
            SparkTarget(conf={"a": "2", "b": "x=y", "c": "3"}),
        ),
        (
            {"remote": "sc://h:15002/;token=abc"},
            {},
            None,
            None,
            SparkTarget(remote="sc://h:15002/;token=abc", origin="command line"),
        ),
    ],
)
def test_precedence(
    tmp_path: Path, cli: dict, env: dict, toml: str | None, engine_url: str | None, expected: SparkTarget
) -> None:
    got = _target(tmp_path, toml, env, engine_url=engine_url, **cli)
    if expected.origin == "FILE":
        expected = SparkTarget(**{**expected.__dict__, "origin": str(tmp_path / "infaflow.toml")})
    assert got == expected


@pytest.mark.parametrize(
    ("cli", "toml", "message"),
    [
        (
            {"master": "spark://h:1", "remote": "sc://h:2"},
            None,
            "command line: a Spark master and a Spark Connect remote exclude each other; give one",
        ),
        (
            {"master": "http://h"},
            None,
            "command line: Spark master 'http://h' is not local[N], spark://, yarn or k8s://",
        ),
        ({"remote": "h:15002"}, None, "command line: Spark Connect remote 'h:15002' is not sc://host:port"),
        (
            {"submit": True, "remote": "sc://h:1"},
            None,
            "command line: --submit runs spark-submit against a master; it does not apply to Spark Connect",
        ),
        ({"conf": ("novalue",)}, None, "--spark-conf 'novalue': expected KEY=VALUE"),
        (
            {},
            '[spark]\nmastr = "yarn"\n',
            "[spark]: unknown setting(s) mastr (known: master, remote, conf, submit)",
        ),
    ],
)
def test_bad_targets_are_input_errors(tmp_path: Path, cli: dict, toml: str | None, message: str) -> None:
    with pytest.raises(InputError) as err:
        _target(tmp_path, toml, **cli)
    assert err.value.args[0] == message


@pytest.mark.parametrize(
    ("master", "mode"),
    [
        ("local[2]", "client"),
        ("spark://h:7077", "client"),
        ("yarn", "cluster"),
        ("k8s://https://h:6443", "cluster"),
    ],
)
def test_deploy_mode(master: str, mode: str) -> None:
    assert deploy_mode(master) == mode


def test_submit_command(tmp_path: Path) -> None:
    target = SparkTarget(master="spark://127.0.0.1:7077", conf={"spark.cores.max": "1"}, submit=True)
    cmd = submit_command(
        target,
        tmp_path / "s_m_x.py",
        tmp_path / "infaflow_support.py",
        {"$$P": "1", "$PMTargetFileDir": "/out"},
        tmp_path / "result.json",
        ["/j/pg.jar"],
        "infaflow s_m_x",
    )
    assert cmd[0] == str(engine.spark_home() / "bin" / "spark-submit")
    assert cmd[1:] == [
        "--master",
        "spark://127.0.0.1:7077",
        "--deploy-mode",
        "client",
        "--name",
        "infaflow s_m_x",
        "--py-files",
        str(tmp_path / "infaflow_support.py"),
        "--jars",
        "/j/pg.jar",
        "--conf",
        "spark.ui.showConsoleProgress=false",
        "--conf",
        "spark.sql.session.timeZone=UTC",
        "--conf",
        "spark.cores.max=1",
        str(tmp_path / "s_m_x.py"),
        "--param",
        "$$P=1",
        "--param",
        "$PMTargetFileDir=/out",
        "--result-file",
        str(tmp_path / "result.json"),
        "--app-name",
        "infaflow s_m_x",
    ]


def test_connect_server_command() -> None:
    cmd = engine.server_command(15010, "local[1]", {"spark.ui.enabled": "true"}, [])
    assert cmd[:7] == [
        str(engine.spark_home() / "bin" / "spark-submit"),
        "--class",
        engine.CONNECT_SERVER,
        "--name",
        "infaflow engine",
        "--master",
        "local[1]",
    ]
    pairs = dict(item.split("=", 1) for item in cmd[8::2])
    assert pairs["spark.connect.grpc.binding.address"] == "127.0.0.1"
    assert pairs["spark.connect.grpc.binding.port"] == "15010"
    assert pairs["spark.ui.enabled"] == "true"  # the caller's settings win
    assert pairs["spark.sql.session.timeZone"] == "UTC"
    assert int(pairs["spark.sql.codegen.cache.maxEntries"]) >= 1000  # compiled code kept from run to run


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("out", os.path.join(os.getcwd(), "out")),
        ("/abs/out", "/abs/out"),
        ("$PMRootDir/TgtFiles", "$PMRootDir/TgtFiles"),
        ("s3a://bucket/out", "s3a://bucket/out"),
        ("", ""),
        (3, 3),
    ],
)
def test_directories_made_absolute(value: object, expected: object) -> None:
    assert _absolute(value) == expected


def test_engine_status_without_an_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["engine", "status", "--state-dir", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert '"running": false' in result.output
    assert engine.running(tmp_path) is None
    stopped = CliRunner().invoke(main, ["engine", "stop", "--state-dir", str(tmp_path)])
    assert stopped.exit_code == 0 and stopped.output == "engine not running\n"


def test_run_rejects_a_master_and_a_remote(tmp_path: Path) -> None:
    xml = Path(__file__).resolve().parents[2] / "samples" / "orders" / "wf_orders_daily.xml"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(xml),
            "-w",
            "wf_orders_daily",
            "--state-dir",
            str(tmp_path),
            "--spark-master",
            "local[1]",
            "--spark-remote",
            "sc://127.0.0.1:1",
        ],
    )
    assert result.exit_code == 2
    assert "a Spark master and a Spark Connect remote exclude each other" in result.output
