"""Reading PowerCenter exports: safe parsing, validation against our XSD, building the model, merging
files into one export set and resolving references across them."""

from __future__ import annotations

from infaflow.export.loader import find_export_files, load, load_repository

__all__ = ["find_export_files", "load", "load_repository"]
