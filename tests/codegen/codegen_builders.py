"""Small builders of model objects for code generation tests, and a runner for generated jobs."""

from __future__ import annotations

import csv
import importlib.util
import sys
import uuid
from pathlib import Path
from typing import Any

from infaflow.codegen import support
from infaflow.codegen.job import JobSource, render_plan
from infaflow.codegen.plan import build_plan
from infaflow.errors import Location
from infaflow.model import (
    Attributes,
    Connector,
    Field,
    FlatFile,
    Folder,
    Instance,
    Mapping,
    MappingVariable,
    Port,
    Session,
    SessionExtension,
    Source,
    Target,
    Transformation,
)

sys.modules.setdefault("infaflow_support", support)

FILE = "tests/codegen/data/model.xml"


def port(
    name: str,
    datatype: str = "string",
    port_type: str = "INPUT/OUTPUT",
    expression: str = "",
    precision: int = 20,
    scale: int = 0,
    **kw: Any,
) -> Port:
    return Port(
        name,
        datatype,
        port_type,
        precision,
        scale,
        expression=expression,
        location=Location(FILE, kw.pop("line", 10)),
        **kw,
    )


class MappingBuilder:
    """Builds a mapping instance by instance; ``connect`` wires same-named ports."""

    def __init__(self, name: str = "m_test") -> None:
        self.folder = Folder("F")
        self.mapping = Mapping(name, folder="F", location=Location(FILE, 1))
        self.folder.mappings.append(self.mapping)
        self.session: Session | None = None

    def flat_source(self, name: str, fields: list[tuple[str, str]], header: bool = True) -> MappingBuilder:
        src = Source(
            name,
            database_type="Flat File",
            fields=[Field(n, t, precision=20, scale=4 if t == "decimal" else 0) for n, t in fields],
            flatfile=FlatFile(
                {
                    "DELIMITED": "YES",
                    "DELIMITERS": ",",
                    "QUOTE_CHARACTER": "DOUBLE",
                    "SKIPROWS": "1" if header else "0",
                }
            ),
        )
        self.folder.sources.append(src)
        self.mapping.instances.append(
            Instance(name, "SOURCE", name, "Source Definition", definition=src, location=Location(FILE, 2))
        )
        sq = Transformation(f"SQ_{name}", "Source Qualifier", ports=[port(n, _tx(t)) for n, t in fields])
        self.add(sq, associated=[name])
        self.connect(name, sq.name, [n for n, _ in fields])
        return self

    def relational_source(
        self,
        name: str,
        fields: list[tuple[str, str]],
        dbd: str = "SRC",
        attrs: dict[str, str] | None = None,
        database_type: str = "Oracle",
    ) -> MappingBuilder:
        src = Source(
            name,
            database_type=database_type,
            dbd_name=dbd,
            fields=[Field(n, t, precision=20) for n, t in fields],
        )
        self.folder.sources.append(src)
        self.mapping.instances.append(Instance(name, "SOURCE", name, "Source Definition", definition=src))
        sq = Transformation(
            f"SQ_{name}",
            "Source Qualifier",
            ports=[port(n, _tx(t)) for n, t in fields],
            attributes=Attributes(attrs or {}),
        )
        self.add(sq, associated=[name])
        self.connect(name, sq.name, [n for n, _ in fields])
        return self

    def add(self, t: Transformation, associated: list[str] | None = None) -> MappingBuilder:
        t.location = Location(FILE, 5)
        self.mapping.transformations.append(t)
        self.mapping.instances.append(
            Instance(
                t.name,
                "TRANSFORMATION",
                t.name,
                t.type,
                associated_source_instances=associated or [],
                definition=t,
                location=Location(FILE, 6),
            )
        )
        return self

    def flat_target(self, name: str, fields: list[tuple[str, str]], file_name: str = "") -> MappingBuilder:
        tgt = Target(
            name,
            database_type="Flat File",
            fields=[Field(n, t, precision=20, scale=4 if t == "decimal" else 0) for n, t in fields],
            flatfile=FlatFile({"DELIMITED": "YES", "DELIMITERS": ",", "QUOTE_CHARACTER": "DOUBLE"}),
        )
        self.folder.targets.append(tgt)
        self.mapping.instances.append(Instance(name, "TARGET", name, "Target Definition", definition=tgt))
        return self

    def table_target(
        self, name: str, fields: list[tuple[str, str]], keys: tuple[str, ...] = ()
    ) -> MappingBuilder:
        tgt = Target(
            name,
            database_type="Oracle",
            fields=[
                Field(n, t, precision=20, key_type="PRIMARY KEY" if n in keys else "NOT A KEY")
                for n, t in fields
            ],
        )
        self.folder.targets.append(tgt)
        self.mapping.instances.append(Instance(name, "TARGET", name, "Target Definition", definition=tgt))
        return self

    def connect(self, src: str, dst: str, ports: list[str] | dict[str, str]) -> MappingBuilder:
        pairs = ports.items() if isinstance(ports, dict) else [(p, p) for p in ports]
        for a, b in pairs:
            self.mapping.connectors.append(Connector(src, a, dst, b))
        return self

    def variable(self, name: str, datatype: str = "string", default: str = "") -> MappingBuilder:
        self.mapping.variables.append(MappingVariable(name, datatype, default, is_param=True))
        return self

    def with_session(
        self, attrs: dict[str, str] | None = None, writers: dict[str, dict[str, str]] | None = None
    ) -> MappingBuilder:
        self.session = Session(
            "s_test", self.mapping.name, attributes=Attributes(attrs or {}), location=Location(FILE, 100)
        )
        self.session.mapping = self.mapping
        for inst, a in (writers or {}).items():
            self.session.extensions.append(
                SessionExtension(
                    type="WRITER", subtype="Relational Writer", sinstance_name=inst, attributes=Attributes(a)
                )
            )
        return self

    def render(self) -> JobSource:
        plan = build_plan(self.mapping, self.session, self.folder)
        return render_plan(plan, "job_test", FILE)


def _tx(source_type: str) -> str:
    return {
        "integer": "integer",
        "decimal": "decimal",
        "string": "string",
        "date": "date/time",
        "double": "double",
    }.get(source_type, source_type)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def run_job(
    job: JobSource, spark: Any, tmp: Path, params: dict[str, Any] | None = None
) -> support.SessionResult:
    """Write the module, import it and run it with source/target dirs under ``tmp``."""
    path = tmp / f"{job.module}_{uuid.uuid4().hex[:6]}.py"
    path.write_text(job.code)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    base = {
        "$PMSourceFileDir": str(tmp / "src"),
        "$PMTargetFileDir": str(tmp / "tgt"),
        "$PMBadFileDir": str(tmp / "bad"),
        "$PMLookupFileDir": str(tmp / "src"),
        "$PMStorageDir": str(tmp / "storage"),
        "$INFAFLOWSTORE": str(tmp / "store"),
    }
    return module.run(spark, {**base, **(params or {})})
