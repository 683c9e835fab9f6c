"""Writes and business rules of the registry. Import from the submodules."""
