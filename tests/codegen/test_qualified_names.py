"""An expression naming ``TRANSFORMATION.PORT`` (as in the corpus mapping m_ups_emp): the transformation
language has no qualified port names, so PowerCenter rejects the expression and marks the mapping invalid;
the converter reports exactly that instead of guessing which port was meant."""

from __future__ import annotations

from codegen_builders import MappingBuilder, port

from infaflow.model import Attributes, Transformation

INT = "integer"


def _mapping(valid: bool) -> MappingBuilder:
    b = MappingBuilder()
    b.mapping.is_valid = valid
    b.flat_source("S", [("ID", INT)])
    b.add(
        Transformation(
            "UPD",
            "Update Strategy",
            ports=[port("ID", INT)],
            attributes=Attributes(
                {"Update Strategy Expression": "IIF(ISNULL(LKP_TGT.ID), DD_INSERT, DD_UPDATE)"}
            ),
        )
    )
    b.connect("SQ_S", "UPD", ["ID"])
    b.flat_target("OUT", [("ID", INT)])
    b.connect("UPD", "OUT", ["ID"])
    return b


def test_qualified_port_name_is_reported_with_the_mapping_validity() -> None:
    job = _mapping(valid=False).render()
    assert not job.complete
    (gap,) = job.gaps
    assert gap.instance == "UPD"
    assert (
        "LKP_TGT.ID is not a port here: the transformation language names a port without its transformation"
        in gap.message
    )
    assert gap.message.endswith("the export marks mapping m_test invalid (ISVALID=NO)")
    assert 'job.not_converted("UPD"' in job.code


def test_valid_mapping_gets_no_validity_note() -> None:
    (gap,) = _mapping(valid=True).render().gaps
    assert "is not a port here: the transformation language" in gap.message and "ISVALID" not in gap.message
