"""samples/orders_split: the orders sample exported the way Repository Manager usually hands it over, as
separate files: the workflow (with its sessions, tasks and session config) in one file and each mapping,
with the sources, targets and reusable transformations it uses, in a file of its own. Sources shared by
two mappings are in both files, identical, as PowerCenter writes them."""

from __future__ import annotations

import orders
from pcxml import Node, powermart, render

#: Folder children that belong to the workflow file.
WORKFLOW_TAGS = ("CONFIG", "SCHEDULER", "TASK", "SESSION", "WORKLET", "WORKFLOW")
#: Folder children a mapping file takes when the mapping uses them.
DEPENDENCY_TAGS = ("SOURCE", "TARGET", "TRANSFORMATION", "MAPPLET")


def _folder_like(folder: Node, children: list[Node]) -> Node:
    return Node(folder.tag, dict(folder.attrs), list(children), folder.keep_order)


def _used_names(mapping: Node) -> set[tuple[str, str]]:
    """(tag, name) of the folder-level objects a mapping's instances use."""
    kinds = {"SOURCE": "SOURCE", "TARGET": "TARGET", "MAPPLET": "MAPPLET", "TRANSFORMATION": "TRANSFORMATION"}
    used = set()
    for inst in (c for c in mapping.children if c.tag == "INSTANCE"):
        tag = kinds.get(inst.attrs.get("TYPE", ""))
        if tag is not None:
            used.add((tag, inst.attrs.get("TRANSFORMATION_NAME", inst.attrs.get("NAME", ""))))
    return used


def split(folder: Node) -> dict[str, Node]:
    """File name -> FOLDER node: one workflow file, one file per mapping."""
    files: dict[str, Node] = {}
    for wf in (c for c in folder.children if c.tag == "WORKFLOW"):
        files[f"{wf.attrs['NAME']}.XML"] = _folder_like(
            folder, [c for c in folder.children if c.tag in WORKFLOW_TAGS])
    for mapping in (c for c in folder.children if c.tag == "MAPPING"):
        used = _used_names(mapping)
        deps = [c for c in folder.children
                if c.tag in DEPENDENCY_TAGS and (c.tag, c.attrs.get("NAME", "")) in used]
        files[f"{mapping.attrs['NAME']}.XML"] = _folder_like(folder, [*deps, mapping])
    return files


def builders() -> dict[str, tuple[bytes, str]]:
    """Output path (relative to samples/) -> (bytes, encoding) of every file of the split sample."""
    out = {}
    for name, fld in split(orders.folder_node()).items():
        out[f"orders_split/{name}"] = (render(powermart(orders.REPOSITORY, [fld]), orders.ENCODING), orders.ENCODING)
    return out
