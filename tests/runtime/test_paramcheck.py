"""Parameter-file checks: headings that apply to nothing and names nothing declares (PowerCenter ignores
both silently), through the library, `validate --param-file` and `run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main
from infaflow.export import load_repository
from infaflow.runtime.paramcheck import check_param_file
from infaflow.runtime.paramfile import parse_text

ROOT = Path(__file__).resolve().parents[2]
SPLIT = ROOT / "samples" / "orders_split"
PARAMS = ROOT / "samples" / "orders" / "params" / "wf_orders_daily.par"

TYPOS = """[Global]
$PMSourceFileDir=samples/orders/data
$PMFailureEmailUser=ops@example.com
$$RUN_COUNT=3
$Typo=1
[ORDERS.WF:wf_orders_dialy]
$$RUN_LABEL=daily
[ORDERS.WF:wf_orders_daily]
$$RUN_LABLE=daily
$$RUN_LABEL=daily
$$HIGH_VALUE_THRESHOLD=100
[ORDERS.WF:wf_orders_daily.ST:s_m_order_fact]
$$HIGH_VALUE_THRESHOLD=500
[ORDERS.WF:wf_orders_daily.ST:s_m_order_facts]
$$HIGH_VALUE_THRESHOLD=500
$DBConnection_SRC=orders_db
[ORDRS.WF:wf_orders_daily]
[s_m_customer_dim]
$$X=1
[ORDERS.WF:wf_orders_daily.WT:wl_nope]
"""


@pytest.fixture(scope="module")
def export():  # noqa: ANN201
    return load_repository([SPLIT])


def test_every_typo_is_reported_with_its_line_and_the_closest_name(export) -> None:  # noqa: ANN001
    found = [(p.line, p.message) for p in check_param_file(parse_text(TYPOS, "t.par"), export)]
    assert found == [
        (5, "$Typo is not a PowerCenter built-in, process or session parameter name; it is ignored"),
        (
            6,
            "heading [ORDERS.WF:wf_orders_dialy] applies to nothing: no workflow 'wf_orders_dialy' in folder "
            "'ORDERS' (did you mean 'wf_orders_daily'?); its values are ignored",
        ),
        (
            9,
            "$$RUN_LABLE is not declared by anything [ORDERS.WF:wf_orders_daily] applies to "
            "(did you mean '$$RUN_LABEL'?); it is ignored",
        ),
        (
            12,
            "heading [ORDERS.WF:wf_orders_daily.ST:s_m_order_fact] applies to nothing: no session instance "
            "'s_m_order_fact' in workflow 'wf_orders_daily' (did you mean 's_m_order_facts'?); its values are "
            "ignored",
        ),
        (
            17,
            "heading [ORDRS.WF:wf_orders_daily] applies to nothing: no folder 'ORDRS' (did you mean 'ORDERS'?); "
            "its values are ignored",
        ),
        (19, "$$X is not declared by anything [s_m_customer_dim] applies to; it is ignored"),
        (
            20,
            "heading [ORDERS.WF:wf_orders_daily.WT:wl_nope] applies to nothing: no worklet instance 'wl_nope' "
            "in workflow 'wf_orders_daily'; its values are ignored",
        ),
    ]


def test_the_sample_parameter_file_is_clean(export) -> None:  # noqa: ANN001
    from infaflow.runtime.paramfile import load

    assert check_param_file(load(PARAMS), export) == []


def test_validate_checks_a_parameter_file(tmp_path: Path) -> None:
    par = tmp_path / "t.par"
    par.write_text(TYPOS)
    res = CliRunner().invoke(main, ["validate", str(SPLIT), "--param-file", str(par)])
    assert res.exit_code == 0  # warnings only
    lines = res.stderr.splitlines()
    assert len(lines) == 7 and all(line.startswith(f"{par}:") and ": warning: " in line for line in lines)


def test_run_warns_about_sections_meant_for_its_workflow(tmp_path: Path) -> None:
    par = tmp_path / "t.par"
    par.write_text(
        TYPOS + "[ORDERS.WF:wf_other]\n$$Y=1\n"
    )  # another workflow's section: not this run's business
    res = CliRunner().invoke(main, ["run", str(SPLIT), "--dry-run", "--json", "--param-file", str(par)])
    assert res.exit_code == 0, res.output
    warnings = json.loads(res.stdout)["warnings"]
    assert [w.split(": ", 1)[0] for w in warnings] == [f"{par}:6", f"{par}:9", f"{par}:12", f"{par}:20"]
