"""Pre/Post SQL split into statements as PowerCenter splits them, and the constant query each database
accepts (the JDBC source runs a statement as the sessionInitStatement of that query)."""

from __future__ import annotations

import pytest

from infaflow.codegen.support import probe_query, sql_statements


@pytest.mark.parametrize(
    ("sql", "statements"),
    [
        ("DELETE FROM t", ["DELETE FROM t"]),
        ("DELETE FROM a; DELETE FROM b;", ["DELETE FROM a", "DELETE FROM b"]),
        ("  ;; \n ; ", []),
        ("INSERT INTO t VALUES ('a\\;b')", ["INSERT INTO t VALUES ('a;b')"]),
        ("/* purge; then load */ DELETE FROM t; COMMIT", ["/* purge; then load */ DELETE FROM t", "COMMIT"]),
        ("/* never closed; */", ["/* never closed; */"]),
        ("UPDATE t SET x = 1;\nUPDATE u SET y = 2", ["UPDATE t SET x = 1", "UPDATE u SET y = 2"]),
    ],
)
def test_sql_statements(sql: str, statements: list[str]) -> None:
    assert sql_statements(sql) == statements


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("jdbc:postgresql://h/db", "SELECT 1 AS probe"),
        ("jdbc:oracle:thin:@h:1521/x", "SELECT 1 AS probe FROM DUAL"),
        ("jdbc:db2://h:50000/x", "SELECT 1 AS probe FROM SYSIBM.SYSDUMMY1"),
        ("jdbc:derby:memory:x;create=true", "SELECT 1 AS probe FROM SYSIBM.SYSDUMMY1"),
        ("JDBC:SQLSERVER://h;databaseName=x", "SELECT 1 AS probe"),
        ("not-a-url", "SELECT 1 AS probe"),
    ],
)
def test_probe_query(url: str, query: str) -> None:
    assert probe_query(url) == query
