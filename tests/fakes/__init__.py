"""Local fakes of outside services (plain Python; the fixtures live in tests/conftest.py)."""
