"""Where the sessions of ``infaflow run`` execute: a local SparkSession, a cluster master, Spark Connect, or
one ``spark-submit`` application per session.

The choice comes from, first to last: the command line (``--spark-master``, ``--spark-remote``,
``--spark-conf``, ``--submit``), the ``SPARK_REMOTE`` environment variable, the ``[spark]`` table of the
project's configuration file (``infaflow.toml`` in the working directory, or the file ``INFAFLOW_CONFIG``
names), and a running warm engine (``infaflow engine start``). Nothing of these: one local SparkSession per
run, as always.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from infaflow.errors import InputError

CONFIG_FILE = "infaflow.toml"
CONFIG_ENV = "INFAFLOW_CONFIG"

_MASTER = re.compile(r"^(local(\[(\*|\d+)(,\s*\d+)?\])?|spark://.+|yarn|k8s://.+|mesos://.+)$")
_REMOTE = re.compile(r"^sc://[^/]+(/.*)?$")


@dataclass(frozen=True)
class SparkTarget:
    """Where sessions run. ``master`` and ``remote`` exclude each other; ``submit`` needs a master
    (``local[N]`` when none is given)."""

    master: str | None = None
    remote: str | None = None
    conf: dict[str, str] = field(default_factory=dict)
    submit: bool = False
    origin: str = "default"  # which setting chose it: command line, SPARK_REMOTE, the file, engine, default

    @property
    def is_default(self) -> bool:
        """True when sessions run in the run's own local SparkSession (nothing chosen)."""
        return self.master is None and self.remote is None and not self.submit

    def describe(self) -> str:
        """One line for the run's log: where the sessions run and who chose it."""
        if self.submit:
            where = f"spark-submit --master {self.master or 'local[*]'}"
        elif self.remote:
            where = f"Spark Connect {self.remote}"
        else:
            where = f"Spark master {self.master}" if self.master else "a local SparkSession"
        return f"{where} ({self.origin})"


def parse_conf(items: tuple[str, ...] | list[str], where: str = "--spark-conf") -> dict[str, str]:
    """``KEY=VALUE`` items as a dict (later items win)."""
    conf: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{where} {item!r}: expected KEY=VALUE")
        conf[key.strip()] = value
    return conf


def load_config(cwd: Path | None = None, env: Mapping[str, str] | None = None) -> tuple[dict[str, Any], str]:
    """The ``[spark]`` table of the project's configuration file and the file's path (empty when absent)."""
    env = os.environ if env is None else env
    named = env.get(CONFIG_ENV)
    path = Path(named) if named else Path(cwd or Path.cwd()) / CONFIG_FILE
    if not path.is_file():
        if named:
            raise InputError(f"{CONFIG_ENV} names {named}, which is not a file", named)
        return {}, ""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not a valid TOML file: {exc}", str(path)) from exc
    spark = data.get("spark", {})
    if not isinstance(spark, dict):
        raise InputError("[spark] must be a table", str(path))
    unknown = sorted(set(spark) - {"master", "remote", "conf", "submit"})
    if unknown:
        raise InputError(
            f"[spark]: unknown setting(s) {', '.join(unknown)} (known: master, remote, conf, submit)",
            str(path),
        )
    return spark, str(path)


def _checked(target: SparkTarget, where: str) -> SparkTarget:
    if target.master and target.remote:
        raise InputError(f"{where}: a Spark master and a Spark Connect remote exclude each other; give one")
    if target.master and not _MASTER.match(target.master):
        raise InputError(f"{where}: Spark master {target.master!r} is not local[N], spark://, yarn or k8s://")
    if target.remote and not _REMOTE.match(target.remote):
        raise InputError(f"{where}: Spark Connect remote {target.remote!r} is not sc://host:port")
    if target.submit and target.remote:
        raise InputError(
            f"{where}: --submit runs spark-submit against a master; it does not apply to Spark Connect"
        )
    return target


def resolve_target(
    *,
    master: str | None = None,
    remote: str | None = None,
    conf: tuple[str, ...] = (),
    submit: bool = False,
    engine_url: str | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> SparkTarget:
    """The target of a run from its command-line options, the environment, the configuration file and the
    warm engine's address (``engine_url``, when one is running), in that order of precedence. Settings of
    the file the command line does not give are kept (``--spark-conf`` adds to the file's conf)."""
    env = os.environ if env is None else env
    settings, path = load_config(cwd, env)
    file_conf = settings.get("conf", {})
    if not isinstance(file_conf, dict):
        raise InputError('[spark] conf must be a table of KEY = "VALUE"', path)
    merged = {**{str(k): str(v) for k, v in file_conf.items()}, **parse_conf(conf)}
    base = SparkTarget(conf=merged)
    if master or remote or submit:
        target = replace(base, master=master, remote=remote, submit=submit, origin="command line")
        if submit and not master and not remote:
            target = replace(target, master=settings.get("master"))
        return _checked(target, "command line")
    if env.get("SPARK_REMOTE"):
        return _checked(replace(base, remote=env["SPARK_REMOTE"], origin="SPARK_REMOTE"), "SPARK_REMOTE")
    if settings.get("master") or settings.get("remote") or settings.get("submit"):
        target = replace(
            base,
            master=settings.get("master"),
            remote=settings.get("remote"),
            submit=bool(settings.get("submit")),
            origin=path,
        )
        return _checked(target, path)
    if engine_url:
        return replace(base, remote=engine_url, origin="warm engine")
    return base
