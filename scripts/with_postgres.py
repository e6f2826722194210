"""Run a command against a throwaway PostgreSQL cluster on 127.0.0.1.

    python scripts/with_postgres.py pytest -q

Starts a fresh cluster (initdb with a UTF-8 locale, so Cyrillic lower-cases) in a
temporary directory on a free loopback port, sets DATABASE_URL for the command,
then stops the cluster and removes it, whatever the command did. PostgreSQL refuses
to run as root, so under root the cluster runs as the ``postgres`` user. When the
server binaries are missing and we are root, Debian's package is installed.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile


def find_bin(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def ensure_binaries():
    if find_bin("initdb") and find_bin("pg_ctl"):
        return
    if os.geteuid() != 0:
        sys.exit("PostgreSQL server binaries (initdb, pg_ctl) are missing.")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        check=True,
        env=env,
    )
    if not find_bin("initdb"):
        sys.exit("Installing postgresql did not provide initdb.")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(command):
    ensure_binaries()
    run_as = None
    if os.geteuid() == 0:
        run_as = "postgres"
        pwd.getpwnam(run_as)  # fails loudly if the user does not exist
    root = tempfile.mkdtemp(prefix="archive-pg-")
    data = os.path.join(root, "data")
    if run_as:
        os.chmod(root, 0o755)
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    port = free_port()

    def as_owner(args, **kwargs):
        return subprocess.run(args, user=run_as, cwd=root, check=True, **kwargs)

    started = False
    try:
        as_owner(
            [
                find_bin("initdb"),
                "-D",
                data,
                "-U",
                "archive",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        as_owner(
            [
                find_bin("pg_ctl"),
                "-D",
                data,
                "-l",
                os.path.join(root, "log"),
                "-o",
                options,
                "-w",
                "start",
            ],
            stdout=subprocess.DEVNULL,
        )
        started = True
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://archive@127.0.0.1:{port}/postgres",
        }
        print(f"PostgreSQL test cluster on 127.0.0.1:{port}", flush=True)
        return subprocess.run(command, env=env).returncode
    finally:
        if started:
            as_owner(
                [find_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"],
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
