"""`Treat source rows as` when no session sets it (a mapping file converted without its workflow): Data
Driven when the mapping has an Update Strategy transformation, Insert otherwise, as the Workflow Manager sets
it for a new session (Transformation Guide, "Setting the Update Strategy for a Session")."""

from __future__ import annotations

from codegen_builders import MappingBuilder, port

from infaflow.model import Attributes, Transformation

INT, S = "integer", "string"


def _mapping(update_strategy: bool) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("NAME", S)])
    last = "SQ_S"
    if update_strategy:
        b.add(
            Transformation(
                "UPD_CLOSE",
                "Update Strategy",
                ports=[port("ID", INT), port("NAME", S)],
                attributes=Attributes({"Update Strategy Expression": "IIF(ID > 2, DD_UPDATE, DD_INSERT)"}),
            )
        )
        b.connect("SQ_S", "UPD_CLOSE", ["ID", "NAME"])
        last = "UPD_CLOSE"
    b.table_target("DIM", [("ID", INT), ("NAME", S)], keys=("ID",))
    b.connect(last, "DIM", ["ID", "NAME"])
    return b


def test_a_mapping_with_an_update_strategy_is_data_driven_without_a_session() -> None:
    job = _mapping(update_strategy=True).render()
    assert job.complete, job.gaps
    assert 'treat_rows_as="Data Driven",' in job.code


def test_a_mapping_without_one_inserts() -> None:
    job = _mapping(update_strategy=False).render()
    assert job.complete, job.gaps
    assert 'treat_rows_as="Insert",' in job.code


def test_the_session_setting_wins() -> None:
    b = _mapping(update_strategy=True).with_session({"Treat source rows as": "Update"})
    job = b.render()
    assert 'treat_rows_as="Update",' in job.code
