"""A flat-file target's FileName port (TARGETFIELD ISFILENAMEFIELD="YES") names the output files from the
rows, a new file per transaction (Designer Guide, "Creating Target Files by Transaction"; the files written
are tested in test_filename_port.py): converted with or without a Transaction Control. A field that happens
to be called FileName is an ordinary column. Seen outside the corpus: a target with both a FileName column
and a FileName1 port."""

from __future__ import annotations

from codegen_builders import MappingBuilder, port

from infaflow.model import Attributes, Field, Transformation

INT, S = "integer", "string"


def _mapping(field: Field, with_tc: bool) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("DEPT", S)])
    last = "SQ_EMP"
    if with_tc:
        b.add(
            Transformation(
                "TC_DEPT",
                "Transaction Control",
                ports=[port("ID", INT), port("DEPT", S)],
                attributes=Attributes({"Transaction Control Condition": "TC_COMMIT_AFTER"}),
            )
        )
        b.connect("SQ_EMP", "TC_DEPT", ["ID", "DEPT"])
        last = "TC_DEPT"
    b.flat_target("OUT", [("ID", INT)])
    b.folder.targets[-1].fields.append(field)
    b.connect(last, "OUT", {"ID": "ID", "DEPT": field.name})
    return b


def test_connected_filename_port_names_the_files() -> None:
    for with_tc in (False, True):
        job = _mapping(
            Field("FileName1", S, precision=255, attrs={"ISFILENAMEFIELD": "YES"}), with_tc
        ).render()
        assert job.complete, job.gaps
        assert 'file_name_port="FileName1"' in job.code
        assert ('transaction_control="TC_DEPT",' in job.code) == with_tc


def test_a_column_called_filename_is_an_ordinary_column() -> None:
    job = _mapping(Field("FileName", S, precision=225), with_tc=True).render()
    assert job.complete, job.gaps
    assert '("FileName", "string")' in job.code and "write_flat_files_by_transaction" not in job.code
