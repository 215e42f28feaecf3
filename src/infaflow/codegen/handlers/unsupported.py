"""Transformations with no faithful native Spark translation: reported with their location."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import StepCode

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

REASONS: dict[str, str] = {
    "Http Transformation": "calls a web service per row",
    "Unstructured Data": "parses documents with Data Transformation services",
    "Java Transformation": "runs Java code per row",
    "Java": "runs Java code per row",
    "External Procedure": "calls an external procedure library",
    "Custom Transformation": "runs a custom C/C++ procedure",
    "HTTP Transformation": "calls a web service per row",
    "XML Parser": "parses XML per row",
    "XML Generator": "generates XML per row",
    "MQ Source Qualifier": "reads IBM MQ messages",
    "App Multi-Group Source Qualifier": "reads application (ERP) sources",
    "Application Source Qualifier": "reads application (ERP) sources",
    "Data Masking": "masks data with Informatica's masking algorithms",
    "Web Service Consumer": "calls a web service per row",
}

KINDS = tuple(REASONS)


_BY_KIND = {k.lower(): v for k, v in REASONS.items()}


def generate(step: Step, gen: Generator) -> StepCode:
    reason = _BY_KIND.get(step.kind.strip().lower(), "has no Spark equivalent")
    raise ConversionError(f"{step.kind} is not supported: it {reason}")
