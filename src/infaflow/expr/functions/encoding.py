"""Encoding functions: ENC_BASE64, DEC_BASE64, CRC32, COMPRESS, DECOMPRESS (MD5 is in strings.py).

Strings are encoded as UTF-8 bytes (the Integration Service in Unicode data movement mode). COMPRESS and
DECOMPRESS use zlib, as documented; Spark has no zlib function for values (its codecs compress files), so
they are evaluated but not translated.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from typing import TYPE_CHECKING

from infaflow.expr.environment import Environment
from infaflow.expr.errors import RowError
from infaflow.expr.functions.base import Function, register
from infaflow.expr.nodes import Call
from infaflow.expr.sparkcode import Code, let, py
from infaflow.expr.types import Value, to_number, to_string

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator


def _bytes(value: Value, env: Environment) -> bytes:
    """A value as bytes: binary as it is, anything else as the UTF-8 bytes of its text."""
    if isinstance(value, bytes):
        return value
    return (to_string(value, env.date_format) or "").encode("utf-8")


def _enc_base64(values: list[Value], env: Environment) -> Value:
    return base64.b64encode(_bytes(values[0], env)).decode("ascii")


#: canonical base64: groups of four characters, the last one padded with '=' (no spaces or line breaks) [U]
BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


def _dec_base64(values: list[Value], env: Environment) -> Value:
    text = _bytes(values[0], env)
    if re.fullmatch(BASE64.encode("ascii"), text) is None:
        raise RowError("DEC_BASE64: the value is not valid base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RowError("DEC_BASE64: the value is not valid base64") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RowError("DEC_BASE64: the decoded bytes are not UTF-8 text") from None


def _dec_base64_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    error = tr.row_error("DEC_BASE64: the value is not valid base64")

    def build(s: Code) -> Code:
        raw = f'F.when({s}.rlike({py(BASE64)}), F.try_to_binary({s}, F.lit("base64")))'
        return Code(
            f'F.when({s}.isNotNull(), F.coalesce(F.try_validate_utf8({raw}.cast("string")), {error}))',
            "string",
        )

    return let(tr.to_string(args[0]), build)


def _compress(values: list[Value], env: Environment) -> Value:
    return zlib.compress(_bytes(values[0], env))  # type: ignore[return-value]  # binary data: outside Value


def _decompress(values: list[Value], env: Environment) -> Value:
    try:
        raw = zlib.decompress(_bytes(values[0], env))
    except zlib.error:
        raise RowError("DECOMPRESS: the value is not zlib data") from None
    if len(values) > 1:
        raw = raw[: max(int(to_number(values[1])), 0)]  # type: ignore[arg-type]
    return raw  # type: ignore[return-value]  # binary data: outside Value


_NO_ZLIB = (
    "Spark has no zlib function for column values (its compression codecs apply to files), so the "
    "bytes PowerCenter writes cannot be reproduced natively"
)

register(
    Function(
        "ENC_BASE64",
        1,
        1,
        "string",
        evaluate=_enc_base64,
        spark=lambda tr, n, a: Code(
            f"F.base64({a[0] if a[0].type == 'binary' else tr.to_string(a[0])})", "string"
        ),
        group="encoding",
        doc="Base64 (RFC 4648, no line breaks) of the UTF-8 bytes [U: line breaks].",
    ),
    Function(
        "DEC_BASE64",
        1,
        1,
        "string",
        evaluate=_dec_base64,
        spark=_dec_base64_spark,
        group="encoding",
        doc="Decodes canonical base64 (no spaces or line breaks) to UTF-8 text; anything else, or bytes that "
        "are not UTF-8, is a row error [U].",
    ),
    Function(
        "CRC32",
        1,
        1,
        "integer",
        evaluate=lambda v, env: zlib.crc32(_bytes(v[0], env)),
        spark=lambda tr, n, a: Code(f"F.crc32({tr.to_string(a[0])})", "integer"),
        group="encoding",
        doc="The CRC-32 (zlib polynomial) of the UTF-8 bytes, 0 to 4294967295.",
    ),
    Function(
        "COMPRESS",
        1,
        1,
        "binary",
        evaluate=_compress,
        group="encoding",
        no_spark=_NO_ZLIB,
        doc="zlib compression of the UTF-8 bytes (binary).",
    ),
    Function(
        "DECOMPRESS",
        1,
        2,
        "binary",
        evaluate=_decompress,
        group="encoding",
        no_spark=_NO_ZLIB,
        doc="DECOMPRESS(value[, precision]): zlib decompression (binary), cut to precision bytes.",
    ),
)
