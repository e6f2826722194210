import pytest
from django.db import connection, transaction


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


@pytest.fixture(scope="class")
def class_transaction(django_db_setup, django_db_blocker):
    """One transaction around a test class, rolled back after its last test.

    What a class-scoped fixture writes inside it is made once for the class, as
    ``setUpTestData`` does: each test still runs in a savepoint of its own, so its
    changes roll back before the next test. Only for classes whose every test uses
    the shared rows and none needs ``transactional_db``.
    """
    from testimonies.search import hitsets

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
    # The kept hit sets of the rolled-back rows would only take memory.
    hitsets.forget()


@pytest.fixture
def nothing_kept():
    """Each test starts with no hit sets kept in memory (SQLite), as it would
    with rows of its own: every test builds the sets it searches afresh."""
    from testimonies.search import hitsets

    hitsets.forget()
