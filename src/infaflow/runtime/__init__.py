"""Running workflows locally with PowerCenter's semantics."""
