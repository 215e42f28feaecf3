"""A layered left-to-right layout of a workflow DAG, written for legibility of long chains.

1. *Layering*: each task goes to the layer of its longest chain of links from a root (longest-path
   layering); a link spanning several layers gets one dummy point per layer it crosses.
2. *Ordering*: tasks of a layer are ordered to reduce crossings, by barycentre sweeps down and up
   (each task moves to the mean position of its neighbours in the previous layer), keeping the best order.
3. *Placement*: in each layer, tasks are pulled towards the mean height of their neighbours while keeping
   their order and spacing (an exact least-squares placement by pool-adjacent-violators), over a few sweeps.
4. *Wrapping*: layers are cut into bands no wider than ``max_width`` that read like lines of text, top to
   bottom; a link to the next band turns at the band's right edge, runs back along the gutter under it, and
   enters its target from the left.

Pure Python, deterministic, no external tools.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import networkx as nx

from infaflow.report.metrics import text_width

NODE_HEIGHT = 40.0
ROW_PITCH = 54.0  # vertical distance between task centres in a layer
MIN_NODE_WIDTH = 120.0
MAX_NODE_WIDTH = 250.0
NAME_SIZE = 11.0  # px, bold: the task name in its box
NAME_PADDING = 30.0  # room left and right of a name (a Decision's pointed ends take 14 px each side)
LAYER_GAP = 56.0
LABEL_CHAR_WIDTH = 5.8
MAX_LABEL_ROOM = 180.0
BAND_GAP = 46.0
MARGIN = 24.0
SWEEPS = 8
CAPTION_ROOM = 22.0  # above the band of tasks that never run
LANE_PITCH = 12.0  # vertical distance between links running back along one gutter


@dataclass
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def mid_y(self) -> float:
        return self.y + self.height / 2


@dataclass
class EdgeRoute:
    """The drawn route of one link: ``segments`` of SVG path commands and where its label goes."""

    path: str
    label_x: float
    label_y: float
    label_anchor: str = "middle"  # SVG text-anchor of the label


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: dict[tuple[str, str], EdgeRoute]
    width: float
    height: float
    layers: list[list[str]] = field(default_factory=list)
    bands: int = 1
    last_top: float | None = None  # top of the first band of the ``last`` tasks (room for a caption above)


def _layering(graph: nx.DiGraph) -> dict[str, int]:
    rank = {n: i for i, n in enumerate(graph.nodes)}
    layer: dict[str, int] = {}
    for n in nx.lexicographical_topological_sort(graph, key=lambda n: rank[n]):
        layer[n] = max((layer[p] + 1 for p in graph.predecessors(n)), default=0)
    return layer


def _crossings(order: list[list[str]], up: dict[str, list[str]]) -> int:
    """Link crossings between adjacent layers: inversions counted with a Fenwick tree, O(E log V)."""
    total = 0
    for i in range(1, len(order)):
        pos = {n: k for k, n in enumerate(order[i - 1])}
        edges = sorted((k, pos[p]) for k, n in enumerate(order[i]) for p in up[n])
        size = len(order[i - 1]) + 1
        tree = [0] * (size + 1)
        seen = 0
        for _, upper in edges:  # count earlier edges whose upper end lies strictly right of this one
            j = upper + 1
            not_greater = 0
            while j > 0:
                not_greater += tree[j]
                j -= j & -j
            total += seen - not_greater
            seen += 1
            j = upper + 1
            while j <= size:
                tree[j] += 1
                j += j & -j
    return total


def _sweep(order: list[list[str]], neighbours: dict[str, list[str]], layer_range: range) -> None:
    """Reorder each layer of ``layer_range`` by the mean position of its neighbours in the layer before."""
    for i in layer_range:
        ref = order[i + (-1 if layer_range.step > 0 else 1)]
        pos = {n: k for k, n in enumerate(ref)}
        scale = len(ref) / max(1, len(order[i]))
        keys: dict[str, tuple[float, int]] = {}
        for k, n in enumerate(order[i]):
            near = [pos[m] for m in neighbours[n] if m in pos]
            keys[n] = (sum(near) / len(near) if near else k * scale, k)
        order[i].sort(key=keys.__getitem__)


def _isotonic(values: list[float]) -> list[float]:
    """Pool adjacent violators: the non-decreasing sequence closest to ``values`` (least squares)."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    out: list[float] = []
    for mean, count in blocks:
        out += [mean] * int(count)
    return out


def _place(order: list[list[str]], up: dict[str, list[str]], down: dict[str, list[str]]) -> dict[str, float]:
    y = {n: k * ROW_PITCH for layer in order for k, n in enumerate(layer)}
    for sweep in range(SWEEPS):
        layers = range(len(order)) if sweep % 2 == 0 else range(len(order) - 1, -1, -1)
        for i in layers:
            nodes = order[i]
            desired = []
            for n in nodes:
                near = up[n] + down[n]
                desired.append(sum(y[m] for m in near) / len(near) if near else y[n])
            shifted = _isotonic([d - k * ROW_PITCH for k, d in enumerate(desired)])
            for k, n in enumerate(nodes):
                y[n] = shifted[k] + k * ROW_PITCH
    return y


def name_width(name: str) -> float:
    """The width a task's box needs for its name (bold, :data:`NAME_SIZE` px) and padding."""
    return text_width(name, NAME_SIZE, bold=True) + NAME_PADDING


def _initial_order(graph: nx.DiGraph, layer: dict[str, int], depth: int) -> list[list[str]]:
    """Depth-first from the roots in export order: branches start out together."""
    order: list[list[str]] = [[] for _ in range(depth)]
    seen: set[str] = set()
    stack = [n for n in reversed(list(graph.nodes)) if graph.in_degree(n) == 0]
    visit: list[str] = []
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        visit.append(n)
        stack += [s for s in reversed(list(graph.successors(n))) if s not in seen]
    for n in visit + [n for n in graph.nodes if n not in seen]:
        order[layer[n]].append(n)
    return order


def _bands(widths: list[float], gaps: list[float], max_width: float, breaks: set[int]) -> list[list[int]]:
    """Consecutive layers cut into bands no wider than ``max_width``; a band also starts at each of
    ``breaks``."""
    bands: list[list[int]] = [[]]
    used = 0.0
    for i, (width, gap) in enumerate(zip(widths, gaps, strict=True)):
        if bands[-1] and (used + width > max_width or i in breaks):
            bands.append([])
            used = 0.0
        bands[-1].append(i)
        used += width + gap
    return bands


def layout(
    graph: nx.DiGraph,
    labels: dict[tuple[str, str], str] | None = None,
    max_width: float = 1100.0,
    last: Collection[str] = (),
    min_widths: Mapping[str, float] | None = None,
) -> Layout:
    """Lay ``graph`` (acyclic) out left to right; ``labels`` are the link labels to make room for.

    The tasks of ``last`` (those that never run) are laid out on their own, in bands after all the others;
    a link from one of them back to an earlier band runs down to the gutter under its band, up the right
    margin, along the gutter above its target's band and in from the left. ``min_widths``: the least width
    of some tasks' boxes (room for other text than the name).
    """
    labels = labels or {}
    if graph.number_of_nodes() == 0:
        return Layout({}, {}, 0.0, 0.0)
    tail = set(last) & set(graph.nodes)
    back = [(u, v) for u, v in graph.edges if u in tail and v not in tail]
    forward = nx.DiGraph()
    forward.add_nodes_from(graph.nodes)
    forward.add_edges_from(e for e in graph.edges if e not in set(back))
    layer = _layering(forward.subgraph([n for n in graph.nodes if n not in tail]).copy() if tail else forward)
    head_depth = max(layer.values(), default=-1) + 1
    if tail:
        layer.update({n: head_depth + k for n, k in _layering(forward.subgraph(tail).copy()).items()})
    # tasks of ``last`` without any link would make one tall column: they are spread over a grid instead
    alone = [n for n in graph.nodes if n in tail and graph.degree(n) == 0]
    columns = max(1, int(max_width // (MAX_NODE_WIDTH + LAYER_GAP)))
    for k, n in enumerate(alone):
        layer[n] = head_depth + k % columns
    depth = max(layer.values()) + 1
    order = _initial_order(forward, layer, depth)
    up: dict[str, list[str]] = {n: [] for n in graph.nodes}
    down: dict[str, list[str]] = {n: [] for n in graph.nodes}
    chains: dict[tuple[str, str], list[str]] = {}
    for u, v in forward.edges:
        chain = [u]
        for k in range(layer[u] + 1, layer[v]):
            dummy = f"\x00{u}\x00{v}\x00{k}"
            order[k].append(dummy)
            up[dummy], down[dummy] = [], []
            chain.append(dummy)
        chain.append(v)
        chains[(u, v)] = chain
        for a, b in zip(chain, chain[1:], strict=False):
            down[a].append(b)
            up[b].append(a)
    best = [list(layer_nodes) for layer_nodes in order]
    best_crossings = _crossings(best, up)
    for sweep in range(SWEEPS):
        if best_crossings == 0:
            break
        if sweep % 2 == 0:
            _sweep(order, up, range(1, depth))
        else:
            _sweep(order, down, range(depth - 2, -1, -1))
        found = _crossings(order, up)
        if found < best_crossings:
            best, best_crossings = [list(layer_nodes) for layer_nodes in order], found
    order = best
    y = _place(order, up, down)

    def is_dummy(n: str) -> bool:
        return n.startswith("\x00")

    widths = []
    for nodes in order:
        need = max(
            (max(name_width(n), (min_widths or {}).get(n, 0.0)) for n in nodes if not is_dummy(n)),
            default=0.0,
        )
        widths.append(min(MAX_NODE_WIDTH, max(MIN_NODE_WIDTH, need)) if need else 24.0)
    gaps = []
    for nodes in order:
        room = max(
            (len(labels.get((u, v), "")) for u in nodes if not is_dummy(u) for v in forward.successors(u)),
            default=0,
        )
        gaps.append(LAYER_GAP + min(MAX_LABEL_ROOM, room * LABEL_CHAR_WIDTH))
    bands = _bands(widths, gaps, max_width, {head_depth} if tail and head_depth else set())
    band_of = {i: b for b, members in enumerate(bands) for i in members}
    crossing_edges = [
        e
        for e in chains
        if any(band_of[layer_of] != band_of[layer_of + 1] for layer_of in range(layer[e[0]], layer[e[1]]))
    ]
    crossing = [
        sum(1 for e in crossing_edges if band_of[layer[e[0]]] <= b < band_of[layer[e[1]]])
        for b in range(len(bands))
    ]
    back_out = [sum(1 for u, _ in back if band_of[layer[u]] == b) for b in range(len(bands))]
    back_in = [sum(1 for _, v in back if band_of[layer[v]] == b) for b in range(len(bands))]
    layer_x: dict[int, float] = {}
    band_top: list[float] = []
    band_bottom: list[float] = []
    band_right: list[float] = []
    top = MARGIN + LANE_PITCH * back_in[0]
    last_top: float | None = None
    for b, members in enumerate(bands):
        if tail and members[0] == head_depth and last_top is None:
            top += CAPTION_ROOM if b else CAPTION_ROOM - MARGIN / 2
            last_top = top
        x = MARGIN + 14.0
        for i in members:
            layer_x[i] = x
            x += widths[i] + gaps[i]
        band_right.append(x - gaps[members[-1]] + 12.0)
        ys = [y[n] for i in members for n in order[i]]
        low, high = min(ys), max(ys)
        for i in members:
            for n in order[i]:
                y[n] = y[n] - low + top
        band_top.append(top)
        band_bottom.append(top + (high - low) + NODE_HEIGHT)
        below = crossing[b] + back_out[b] + (back_in[b + 1] if b + 1 < len(bands) else 0)
        top = band_bottom[-1] + BAND_GAP + LANE_PITCH * below
    boxes: dict[str, Box] = {}
    for i, nodes in enumerate(order):
        for n in nodes:
            if not is_dummy(n):
                boxes[n] = Box(layer_x[i], y[n], widths[i], NODE_HEIGHT)

    def anchor_out(n: str, i: int) -> tuple[float, float]:
        return (layer_x[i] + widths[i], y[n] + NODE_HEIGHT / 2)

    def anchor_in(n: str, i: int) -> tuple[float, float]:
        return (layer_x[i], y[n] + NODE_HEIGHT / 2)

    routes: dict[tuple[str, str], EdgeRoute] = {}
    lane: dict[int, int] = {}
    for (u, v), chain in chains.items():
        i0 = layer[u]
        x0, y0 = anchor_out(u, i0)
        parts = [f"M{x0:.1f},{y0:.1f}"]
        label_at: tuple[float, float, str] | None = None
        for k in range(1, len(chain)):
            i = i0 + k
            n = chain[k]
            x1, y1 = anchor_in(n, i)
            if band_of[i] != band_of[i - 1]:
                b = band_of[i - 1]
                lane[b] = lane.get(b, 0) + 1
                off = 6.0 * lane[b]
                right = band_right[b] + off
                gutter = (
                    band_bottom[b] + BAND_GAP / 2 + LANE_PITCH * (lane[b] - 1)
                )  # room for a label per lane
                left = MARGIN + 14.0 - 6.0 - min(off, 12.0)
                parts.append(
                    f"L{right:.1f},{y0:.1f} L{right:.1f},{gutter:.1f} L{left:.1f},{gutter:.1f} "
                    f"L{left:.1f},{y1:.1f} L{x1:.1f},{y1:.1f}"
                )
                if label_at is None:  # on the gutter, just left of the turn, clear of the tasks
                    label_at = (right - 6, gutter - 2, "end")
            else:
                dx = max(20.0, (x1 - x0) / 2)
                parts.append(f"C{x0 + dx:.1f},{y0:.1f} {x1 - dx:.1f},{y1:.1f} {x1:.1f},{y1:.1f}")
                if label_at is None:
                    label_at = ((x0 + x1) / 2, (y0 + y1) / 2, "middle")
            if is_dummy(n):  # run straight through the dummy's column
                x0, y0 = x1 + widths[i], y1
                parts.append(f"L{x0:.1f},{y0:.1f}")
            else:
                x0, y0 = x1, y1
        assert label_at is not None
        routes[(u, v)] = EdgeRoute(" ".join(parts), *label_at)
    right_edge = max(band_right) + 6.0 * max(lane.values(), default=0)
    out_lane: dict[int, int] = {}
    in_lane: dict[int, int] = {}
    for k, (u, v) in enumerate(back):
        bu, bv = band_of[layer[u]], band_of[layer[v]]
        x0, y0 = anchor_out(u, layer[u])
        x1, y1 = anchor_in(v, layer[v])
        out_lane[bu] = out_lane.get(bu, 0) + 1
        in_lane[bv] = in_lane.get(bv, 0) + 1
        turn = x0 + 8.0 + 3.0 * (out_lane[bu] - 1) % 24
        gutter = band_bottom[bu] + BAND_GAP / 2 + LANE_PITCH * (crossing[bu] + out_lane[bu] - 1)
        channel = right_edge + 8.0 + 6.0 * k
        above = band_top[bv] - 10.0 - LANE_PITCH * (in_lane[bv] - 1)
        left = MARGIN + 14.0 - 6.0 - min(6.0 * in_lane[bv], 12.0)
        path = (
            f"M{x0:.1f},{y0:.1f} L{turn:.1f},{y0:.1f} L{turn:.1f},{gutter:.1f} L{channel:.1f},{gutter:.1f} "
            f"L{channel:.1f},{above:.1f} L{left:.1f},{above:.1f} L{left:.1f},{y1:.1f} L{x1:.1f},{y1:.1f}"
        )
        routes[(u, v)] = EdgeRoute(path, left + 10.0, above - 2, "start")
    width = right_edge + MARGIN + (8.0 + 6.0 * len(back) if back else 0.0)
    height = band_bottom[-1] + MARGIN + LANE_PITCH * back_out[-1]
    real_order = [[n for n in nodes if not is_dummy(n)] for nodes in order]
    return Layout(boxes, routes, width, height, real_order, len(bands), last_top)


__all__ = ["Box", "EdgeRoute", "Layout", "layout"]
