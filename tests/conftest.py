import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` only run when DATABASE_URL points at PostgreSQL."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (make test runs it)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
