"""A converted project: one PySpark module per session (and per mapping no session runs), a manifest
per workflow, the runtime support module, a README and a JSON conversion report."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from infaflow import __version__
from infaflow.codegen.formatting import format_modules
from infaflow.codegen.job import JobSource, render_mapping, render_session, template_env
from infaflow.codegen.naming import Namer
from infaflow.errors import InputError
from infaflow.model import Export, Folder, Session, Workflow

SUPPORT_MODULE = "infaflow_support.py"
MANIFEST_FORMAT = "infaflow-workflow-manifest/1"


@dataclass
class ConvertedJob:
    folder: str
    session: str  # "" for a mapping no session runs
    mapping: str
    job: JobSource

    @property
    def file(self) -> str:
        return f"{self.job.module}.py"


@dataclass
class Conversion:
    """Everything converted from one export (nothing written yet)."""

    export: Export
    name: str
    jobs: list[ConvertedJob] = field(default_factory=list)
    manifests: dict[str, dict] = field(default_factory=dict)  # file name -> manifest

    @property
    def gaps(self) -> list:
        return [g for j in self.jobs for g in j.job.gaps]

    @property
    def complete(self) -> bool:
        return not self.gaps

    def report(self, export_ref: str) -> dict:
        mappings: dict[str, bool] = {}
        for j in self.jobs:
            if not j.job.code:
                continue  # a session whose mapping is not in this export
            key = f"{j.folder}.{j.mapping}"
            mappings[key] = mappings.get(key, True) and j.job.complete
        return {
            "export": export_ref,
            "converted_by": f"infaflow {__version__}",
            "summary": {
                "jobs": len(self.jobs),
                "jobs_complete": sum(j.job.complete for j in self.jobs),
                "mappings": len(mappings),
                "mappings_complete": sum(mappings.values()),
                "unsupported": len(self.gaps),
                "sessions_without_mapping": sum(not j.job.code for j in self.jobs),
                "sequential_scans": sum(len(j.job.scans) for j in self.jobs),
                "database_steps": sum(len(j.job.database_steps) for j in self.jobs),
            },
            "jobs": [
                {
                    "module": j.file,
                    "folder": j.folder,
                    "session": j.session,
                    "mapping": j.mapping,
                    "complete": j.job.complete,
                    "mapping_loaded": bool(j.job.code),  # False: no export file read defines the mapping
                    "steps": len(j.job.plan.steps),  # type: ignore[union-attr]  # converted: has its plan
                    "unsupported": [
                        {"instance": g.instance, "message": g.message, "file": g.file, "line": g.line}
                        for g in j.job.gaps
                    ],
                    "sequential_scans": [
                        {
                            "instance": n.instance,
                            "ports": n.ports,
                            "reason": n.reason,
                            "cost": n.cost,
                            "file": n.file,
                            "line": n.line,
                        }
                        for n in j.job.scans
                    ],
                    "database_steps": [
                        {
                            "instance": d.instance,
                            "runs": d.runs,
                            "databases": list(d.databases),
                            "file": d.file,
                            "line": d.line,
                        }
                        for d in j.job.database_steps
                    ],
                }
                for j in self.jobs
            ],
            "workflows": sorted(self.manifests),
        }


def _workflow_sessions(wf: Workflow, prefix: str = "") -> Iterator[tuple[str, Session]]:
    """(instance path, session) of every Session task of a workflow, worklets included."""
    for inst in wf.instances:
        path = f"{prefix}{inst.name}"
        if isinstance(inst.task, Session):
            yield path, inst.task
        elif isinstance(inst.task, Workflow):
            yield from _workflow_sessions(inst.task, f"{path}/")


def _chosen_sessions(f: Folder, workflow: str | None) -> list[Session]:
    """The sessions of folder ``f`` to convert: those of ``workflow`` (by instance), else all of them."""
    if workflow is not None:
        workflows = [w for w in f.workflows if w.name.lower() == workflow.lower()]
        return list({id(s): s for w in workflows for _p, s in _workflow_sessions(w)}.values())
    return list({id(s): s for s in f.all_sessions()}.values())


def convert_export(
    export: Export, name: str | None = None, folder: str | None = None, workflow: str | None = None
) -> Conversion:
    """Convert every session of the export (or of one folder / workflow) and every mapping no
    session runs."""
    conv = Conversion(export, name or Path(export.path).stem)
    folders: list[Folder] = [f for f in export.folders if folder is None or f.name.lower() == folder.lower()]
    namer = Namer()
    several = len(folders) > 1
    chosen_in = {id(f): _chosen_sessions(f, workflow) for f in folders}
    # A mapping that a session runs, also from another folder through a shortcut, gets no module of its own.
    run_by_a_session = {
        id(s.mapping) for chosen in chosen_in.values() for s in chosen if s.mapping is not None
    }
    for f in folders:
        workflows = [w for w in f.workflows if workflow is None or w.name.lower() == workflow.lower()]
        chosen = chosen_in[id(f)]
        modules: dict[int, str] = {}
        used_mappings: set[str] = set()
        for s in chosen:
            module = namer(f"{f.name}__{s.name}" if several else s.name)
            job = render_session(s, f, module, export.path)
            modules[id(s)] = module
            assert job.plan is not None  # a job just converted has its plan
            used_mappings.add(job.plan.mapping.name.lower())
            conv.jobs.append(ConvertedJob(f.name, s.name, job.plan.mapping.name, job))
        if workflow is None:
            for m in f.mappings:
                if m.name.lower() in used_mappings or id(m) in run_by_a_session:
                    continue
                module = namer(f"{f.name}__{m.name}" if several else m.name)
                job = render_mapping(m, f, module, export.path)
                conv.jobs.append(ConvertedJob(f.name, "", m.name, job))
        for w in workflows:
            entries = {}
            for path, s in _workflow_sessions(w):
                if id(s) in modules:
                    entries[path] = {"session": s.name, "module": f"{modules[id(s)]}.py"}
            conv.manifests[f"workflow_{namer(w.name) if several else w.name}.json"] = {
                "format": MANIFEST_FORMAT,
                "folder": f.name,
                "workflow": w.name,
                "sessions": entries,
            }
    return conv


def write_project(
    conv: Conversion, out_dir: Path, export_path: str | None = None, include_jobs: bool = True
) -> Path:
    """Write the project into ``out_dir`` (replacing what infaflow wrote there before). The manifests
    record every file of the export set relative to ``out_dir`` (``export_path`` overrides a one-file set's
    path as recorded)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.py"):
        old.unlink()
    for old in out_dir.glob("workflow_*.json"):
        old.unlink()
    files = [export_path] if export_path is not None and len(conv.export.paths) == 1 else conv.export.paths
    refs = [os.path.relpath(Path(f).resolve(), out_dir.resolve()) for f in files]
    if include_jobs:
        shutil.copyfile(Path(__file__).with_name("support.py"), out_dir / SUPPORT_MODULE)
        modules = [out_dir / j.file for j in conv.jobs if j.job.code]
        for j in conv.jobs:
            if j.job.code:
                (out_dir / j.file).write_text(j.job.code)
        format_modules(modules)
        for file, manifest in conv.manifests.items():
            recorded = {"export": refs[0], **({"exports": refs} if len(refs) > 1 else {})}
            (out_dir / file).write_text(json.dumps({**manifest, **recorded}, indent=2) + "\n")
    report = conv.report(export_path if export_path is not None else conv.export.path)
    if len(files) > 1:
        report["exports"] = files
    (out_dir / "conversion_report.json").write_text(json.dumps(report, indent=2) + "\n")
    readme = (
        template_env()
        .get_template("README.md.j2")
        .render(conv=conv, report=report, include_jobs=include_jobs)
    )
    (out_dir / "README.md").write_text(readme)
    return out_dir


@dataclass
class ConvertedProject:
    """A project written by ``infaflow convert``, as ``infaflow run DIR`` needs it."""

    root: Path
    manifests: list[dict]

    @property
    def export_paths(self) -> list[Path]:
        """The export files the project was converted from (a manifest records them relative to itself)."""
        manifest = self.manifests[0]
        refs = manifest.get("exports") or [manifest["export"]]
        return [(self.root / ref).resolve() for ref in refs]

    def manifest(self, workflow: str | None = None) -> dict:
        """The manifest of ``workflow`` (the only one when ``None``)."""
        if workflow is None:
            if len(self.manifests) != 1:
                names = ", ".join(m["workflow"] for m in self.manifests)
                raise InputError(f"the project has several workflows ({names}): name one", str(self.root))
            return self.manifests[0]
        for m in self.manifests:
            if m["workflow"].lower() == workflow.lower():
                return m
        raise InputError(f"no workflow {workflow!r} in the project", str(self.root))

    def modules(self, workflow: str | None = None) -> dict[str, Path]:
        """Session instance path -> job module file, for :class:`SparkSessionExecutor`."""
        m = self.manifest(workflow)
        return {path: self.root / entry["module"] for path, entry in m["sessions"].items()}


def is_project(path: str | Path) -> bool:
    """Whether ``path`` is a folder written by ``infaflow convert`` (it holds workflow manifests)."""
    root = Path(path)
    return (
        root.is_dir()
        and any(root.glob("workflow_*.json"))
        and not any(p.suffix.lower() == ".xml" for p in root.iterdir())
    )


def open_project(root: str | Path) -> ConvertedProject:
    """Read the workflow manifests of a converted project (InputError when it is not one)."""
    root = Path(root)
    manifests = []
    for file in sorted(root.glob("workflow_*.json")):
        try:
            data = json.loads(file.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(f"unreadable workflow manifest: {exc}", str(file)) from None
        if data.get("format") != MANIFEST_FORMAT:
            raise InputError(f"not an infaflow workflow manifest (format {data.get('format')!r})", str(file))
        manifests.append(data)
    if not manifests:
        raise InputError(
            "not a converted project: no workflow_*.json manifest (run infaflow convert)", str(root)
        )
    return ConvertedProject(root, manifests)


def write_airflow_dags(conv: Conversion, out_dir: Path) -> tuple[list[Path], list[str]]:
    """``dags/<workflow>.py`` in the project for every workflow converted (Airflow 3 DAGs running the
    project's modules, see :mod:`infaflow.airflow`); the files written and, per workflow that has none,
    why (``file:line: ...``)."""
    from infaflow.airflow.dags import dag_text

    written: list[Path] = []
    problems: list[str] = []
    dags = out_dir / "dags"
    for manifest in conv.manifests.values():
        found = conv.export.find_workflow(manifest["workflow"], manifest["folder"])
        if found is None:
            continue
        folder, workflow = found
        try:
            text = dag_text(folder, workflow, project="..")
        except InputError as exc:
            problems.append(f"{exc}: no Airflow DAG for workflow {workflow.name}")
            continue
        dags.mkdir(parents=True, exist_ok=True)
        path = dags / f"{workflow.name}.py"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written, problems
