"""Reading PowerCenter exports: safe parsing, validation against our XSD, building the model."""

from __future__ import annotations

from infaflow.export.loader import load

__all__ = ["load"]
