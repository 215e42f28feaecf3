"""The row contract between the steps of a generated job and its support module.

Every frame of a generated job carries these bookkeeping columns; ``support.py`` (copied into generated
projects, so it cannot import infaflow) defines the same names, and ``tests/codegen/test_row_contract.py``
checks that the two agree. Handlers and helpers import the names from here, never spell them out.
"""

from __future__ import annotations

ROW_ID = "_row_id"  # PowerCenter's row order, captured at source read
ROW_TYPE = "_row_type"  # DD_INSERT=0, DD_UPDATE=1, DD_DELETE=2, DD_REJECT=3 (after an Update Strategy)
ROW_ERROR = "_row_error"  # the message of the row's first error; job.reject_errors drops the row

#: the version of ``support.py`` that generated jobs need: raised with every change of the support module that
#: jobs converted from now on rely on (a job refuses an older ``infaflow_support.py`` when it imports it)
SUPPORT_VERSION = 4
