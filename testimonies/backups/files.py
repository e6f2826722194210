"""Media files in and out of a bag: plain copies, their times kept."""

import os
import shutil
from pathlib import Path


def files_under(root):
    """Relative paths of the regular files under ``root`` (none if it is missing)."""
    root = Path(root)
    for folder, _folders, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root)


def copy_tree(source, target):
    """Copy every regular file under ``source`` to the same place under ``target``.

    Return the relative paths copied. A file that vanishes while the copy runs
    (deleted by the site meanwhile) is left out.
    """
    copied = []
    for relative in files_under(source):
        destination = Path(target) / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(Path(source) / relative, destination)
        except FileNotFoundError:
            continue
        copied.append(relative)
    return copied
