"""The functions of the PowerCenter 10.x Transformation Language Reference and what infaflow does with each.

:data:`REFERENCE_FUNCTIONS` lists the reference's functions (one entry per name: MAX (Date), MAX (Number) and
MAX (String) are one function here); :data:`NOT_IMPLEMENTED` says why the few that are not in the registry
are left out. :func:`function_table` renders the table of ``docs/expr.md`` from both and the registry, and a
test keeps the document equal to it.
"""

from __future__ import annotations

from infaflow.expr.functions import REGISTRY

REFERENCE_FUNCTIONS = """ABORT ABS ADD_TO_DATE AES_DECRYPT AES_ENCRYPT ASCII AVG CEIL CHOOSE CHR CHRCODE
COMPRESS CONCAT CONVERT_BASE COS COSH COUNT CRC32 CUME DATE_COMPARE DATE_DIFF DEC_BASE64 DECODE DECOMPRESS
ENC_BASE64 ERROR EXP FIRST FLOOR FV GET_DATE_PART GREATEST IIF IN INDEXOF INITCAP INSTR IS_DATE IS_NUMBER
IS_SPACES ISNULL LAST LAST_DAY LEAST LENGTH LN LOG LOOKUP LOWER LPAD LTRIM MAKE_DATE_TIME MAX MD5 MEDIAN
METAPHONE MIN MOD MOVINGAVG MOVINGSUM NPER PERCENTILE PMT POWER PV RAND RATE REG_EXTRACT REG_MATCH REG_REPLACE
REPLACECHR REPLACESTR REVERSE ROUND RPAD RTRIM SET_DATE_PART SETCOUNTVARIABLE SETMAXVARIABLE SETMINVARIABLE
SETVARIABLE SIGN SIN SINH SOUNDEX SQRT STDDEV SUBSTR SUM SYSTIMESTAMP TAN TANH TO_BIGINT TO_CHAR TO_DATE
TO_DECIMAL TO_FLOAT TO_INTEGER TRUNC UPPER VARIANCE""".split()

#: functions of the reference that are not declared, and why (each is reported as an unknown function)
NOT_IMPLEMENTED = {
    "AES_ENCRYPT": "PowerCenter's cipher mode, padding and IV are not documented "
    "(a community source says AES-128, "
    "CBC, zero padding), Spark's aes_encrypt has no zero padding, and no AES library is available "
    "to the evaluator: not implemented rather than guessed",
    "AES_DECRYPT": "as AES_ENCRYPT",
    "METAPHONE": "Informatica's METAPHONE rule set and its length argument are not implemented",
    "LOOKUP": "searches a lookup source that only a Lookup transformation provides (use :LKP or a connected "
    "Lookup)",
}

#: names the transformation language has besides the reference's function list (built-in variables)
EXTRA_NAMES = {"SYSDATE", "SESSSTARTTIME"}


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def function_table() -> str:
    """The markdown table of every reference function with its status (evaluator, Spark, notes)."""
    rows = ["| function | evaluator | Spark | notes |", "|---|---|---|---|"]
    for name in sorted(set(REFERENCE_FUNCTIONS) | EXTRA_NAMES):
        fn = REGISTRY.get(name)
        if fn is None:
            rows.append(f"| {name} | no | no | {_cell(NOT_IMPLEMENTED[name])} |")
            continue
        spark = "yes" if fn.spark is not None else "no"
        note = fn.no_spark if fn.spark is None else fn.doc
        rows.append(f"| {name} | yes | {spark} | {_cell(note)} |")
    return "\n".join(rows) + "\n"
