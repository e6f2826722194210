"""What an archivist sees first of each of the project's commands: ``--help``."""

import pytest
from django.core.management import get_commands, load_command_class

OURS = sorted(name for name, app in get_commands().items() if app == "testimonies")


def test_the_project_has_its_commands():
    assert {"import_testimonies", "export_testimonies"} <= set(OURS)


@pytest.mark.parametrize("name", OURS)
def test_help_describes_the_command_and_its_options(name):
    command = load_command_class("testimonies", name)
    text = command.create_parser("manage.py", name).format_help()
    assert f"manage.py {name}" in text
    assert str(command.help).split()[0] in text
    assert "--" in text
