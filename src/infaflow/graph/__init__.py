"""The workflow DAG and its analysis, as plain functions over the model.

::

    from infaflow.graph import build_graph, flatten, check_workflow, analyze, mapping_complexity

    graph = build_graph(workflow, folder)          # networkx DiGraph, worklets as nodes with a subgraph
    flat = flatten(graph)                          # worklet tasks as "wl/task"
    problems = check_workflow(workflow, folder)    # list[Problem] with line numbers
    result = analyze(workflow, folder, durations={"s_load": 620})
    result.critical_path, result.critical_length, result.levels, result.width, result.depth
"""

from __future__ import annotations

from infaflow.graph.analysis import (
    DecisionPoint,
    TaskTiming,
    WorkflowAnalysis,
    analyze,
    analyze_graph,
    critical_path,
    decision_points,
    fan,
    levels,
    node_durations,
    require_acyclic,
    schedule,
    topological_order,
)
from infaflow.graph.build import build_graph, flatten, resolve_worklet
from infaflow.graph.checks import check_export, check_workflow, first_error
from infaflow.graph.complexity import (
    MappingComplexity,
    WorkflowComplexity,
    band,
    mapping_complexity,
    workflow_complexity,
    workflow_mappings,
)
from infaflow.graph.durations import DEFAULT_SECONDS, DurationTable, load_durations

__all__ = [
    "DEFAULT_SECONDS",
    "DecisionPoint",
    "DurationTable",
    "MappingComplexity",
    "TaskTiming",
    "WorkflowAnalysis",
    "WorkflowComplexity",
    "analyze",
    "analyze_graph",
    "band",
    "build_graph",
    "check_export",
    "check_workflow",
    "critical_path",
    "decision_points",
    "fan",
    "first_error",
    "flatten",
    "levels",
    "load_durations",
    "mapping_complexity",
    "node_durations",
    "require_acyclic",
    "resolve_worklet",
    "schedule",
    "topological_order",
    "workflow_complexity",
    "workflow_mappings",
]
