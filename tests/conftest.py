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


@pytest.fixture(scope="session")
def scratch_template(tmp_path_factory):
    from .scratch import ScratchTemplate

    template = ScratchTemplate(tmp_path_factory.mktemp("scratch"))
    yield template
    template.remove()


@pytest.fixture
def scratch(scratch_template, tmp_path):
    """A migrated database of its own, which child processes can open."""
    database = scratch_template.copy(tmp_path)
    yield database
    database.drop()


@pytest.fixture
def another_scratch(scratch_template, tmp_path):
    """A second migrated, empty database with its own media folder."""
    database = scratch_template.copy(tmp_path / "another")
    yield database
    database.drop()
