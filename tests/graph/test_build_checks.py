"""Graph building, flattening and the structural checks, on workflows built from the model."""

from __future__ import annotations

from infaflow.graph import build_graph, check_workflow, flatten


def messages(problems):
    return [(p.severity, p.line, p.message) for p in problems]


def test_nodes_and_edges_carry_model_objects_and_conditions(make_workflow):
    wf = make_workflow(
        "wf_a", ["start", "s_a", "dec_x"], [("start", "s_a"), ("s_a", "dec_x", "$s_a.Status = SUCCEEDED")]
    )
    g = build_graph(wf)
    assert list(g.nodes) == ["start", "s_a", "dec_x"]
    assert g.nodes["dec_x"]["type"] == "Decision"
    assert g.nodes["s_a"]["instance"] is wf.instances[1]
    assert g.nodes["s_a"]["location"].line == 11
    assert g.edges["s_a", "dec_x"]["condition"] == "$s_a.Status = SUCCEEDED"
    assert g.edges["s_a", "dec_x"]["location"].line == 14
    assert g.graph["name"] == "wf_a"


def test_worklets_are_nodes_with_their_graph_and_flatten_to_paths(make_workflow):
    inner = make_workflow("wl_inner", ["start", "s_deep"], [("start", "s_deep")], is_worklet=True)
    outer = make_workflow(
        "wl_outer",
        ["start", "s_x", "wl_inner=wl_i"],
        [("start", "s_x"), ("s_x", "wl_i")],
        worklets=[inner],
        is_worklet=True,
    )
    wf = make_workflow(
        "wf",
        ["start", "wl_outer=wl_o", "s_end"],
        [("start", "wl_o"), ("wl_o", "s_end", "$wl_o.Status = SUCCEEDED")],
        worklets=[outer],
    )
    g = build_graph(wf)
    sub = g.nodes["wl_o"]["subgraph"]
    assert g.nodes["wl_o"]["worklet"] is outer
    assert sub.nodes["wl_i"]["subgraph"].has_edge("start", "s_deep")
    flat = flatten(g)
    assert set(flat.nodes) == {
        "start",
        "wl_o/start",
        "wl_o/s_x",
        "wl_o/wl_i/start",
        "wl_o/wl_i/s_deep",
        "s_end",
    }
    assert flat.has_edge("start", "wl_o/start")
    assert flat.has_edge("wl_o/s_x", "wl_o/wl_i/start")
    assert flat.edges["wl_o/wl_i/s_deep", "s_end"]["condition"] == "$wl_o.Status = SUCCEEDED"
    assert flat.nodes["wl_o/wl_i/s_deep"]["parent"] == "wl_o/wl_i"


def test_unresolved_worklet_stays_one_node_and_is_reported(make_workflow):
    wf = make_workflow("wf", ["start", "wl_missing"], [("start", "wl_missing")])
    assert list(flatten(build_graph(wf)).nodes) == ["start", "wl_missing"]
    assert messages(check_workflow(wf)) == [
        (
            "warning",
            11,
            "workflow wf: worklet 'wl_missing' of task 'wl_missing' is not in this export; "
            "it is drawn as a single task",
        )
    ]


def test_clean_workflow_has_no_problems(make_workflow):
    wf = make_workflow("wf", ["start", "s_a", "s_b"], [("start", "s_a"), ("start", "s_b")])
    assert check_workflow(wf) == []


def test_link_to_unknown_task_is_an_error_with_the_link_line(make_workflow):
    wf = make_workflow("wf", ["start", "s_a"], [("start", "s_a"), ("s_a", "S_B")])
    problems = check_workflow(wf)
    assert messages(problems) == [("error", 13, "workflow wf: link s_a -> S_B names unknown task 'S_B'")]
    assert str(problems[0]) == "wf.xml:13: workflow wf: link s_a -> S_B names unknown task 'S_B'"
    assert "s_b" not in build_graph(wf)


def test_link_cycle_is_an_error_naming_the_tasks(make_workflow):
    wf = make_workflow(
        "wf",
        ["start", "s_a", "s_b", "s_c"],
        [("start", "s_a"), ("s_a", "s_b"), ("s_b", "s_c"), ("s_c", "s_a")],
    )
    problems = check_workflow(wf)
    assert [p.severity for p in problems] == ["error"]
    assert problems[0].line == 15  # s_a -> s_b, the first link of the cycle in the file
    assert "link cycle" in problems[0].message
    assert {"s_a", "s_b", "s_c"} <= set(problems[0].message.replace("->", " ").split())


def test_self_loop_is_a_cycle(make_workflow):
    wf = make_workflow("wf", ["start", "s_a"], [("start", "s_a"), ("s_a", "s_a")])
    assert messages(check_workflow(wf)) == [("error", 13, "workflow wf: link cycle s_a -> s_a")]


def test_missing_and_several_start_tasks(make_workflow):
    none = make_workflow("wf", ["s_a"], [])
    assert messages(check_workflow(none)) == [("error", 2, "workflow wf: no Start task")]
    two = make_workflow("wf", ["start", "start=start2", "s_a"], [("start", "s_a"), ("start2", "s_a")])
    assert messages(check_workflow(two)) == [
        ("error", 11, "workflow wf: several Start tasks (start, start2)")
    ]


def test_unreachable_task_is_a_warning(make_workflow):
    wf = make_workflow(
        "wf", ["start", "s_a", "s_orphan", "s_after"], [("start", "s_a"), ("s_orphan", "s_after")]
    )
    assert messages(check_workflow(wf)) == [
        ("warning", 12, "workflow wf: task 's_orphan' is not reachable from the Start task and never runs"),
        ("warning", 13, "workflow wf: task 's_after' is not reachable from the Start task and never runs"),
    ]


def test_duplicate_instance_names_and_links(make_workflow):
    wf = make_workflow("wf", ["start", "s_a", "s_a"], [("start", "s_a"), ("start", "s_a")])
    assert messages(check_workflow(wf)) == [
        ("error", 12, "workflow wf: duplicate task instance 's_a'"),
        ("warning", 14, "workflow wf: duplicate link start -> s_a"),
    ]
    assert build_graph(wf).number_of_nodes() == 2


def test_problems_inside_worklets_name_the_worklet_once(make_workflow):
    inner = make_workflow("wl_in", ["start", "s_x"], [("start", "s_x"), ("s_x", "s_ghost")], is_worklet=True)
    wf = make_workflow(
        "wf", ["start", "wl_in=a", "wl_in=b"], [("start", "a"), ("start", "b")], worklets=[inner]
    )
    assert messages(check_workflow(wf)) == [
        ("error", 13, "worklet wl_in: link s_x -> s_ghost names unknown task 's_ghost'")
    ]


def test_worklet_running_itself_is_an_error_not_a_recursion(make_workflow):
    loop = make_workflow("wl_loop", ["start", "wl_loop=again"], [("start", "again")], is_worklet=True)
    loop.worklets.append(loop)
    wf = make_workflow("wf", ["start", "wl_loop"], [("start", "wl_loop")], worklets=[loop])
    problems = check_workflow(wf)
    assert ("error", 11, "worklet wl_loop: worklet 'wl_loop' runs itself (through task 'again')") in messages(
        problems
    )
    assert "wl_loop/again" in flatten(build_graph(wf))
