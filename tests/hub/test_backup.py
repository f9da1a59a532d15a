"""deploy.backup: a deployment backed up, damaged, restored, identical (no hub needed).

The state is the real kinds of files: SQLite databases (the hub's, the gradebook) written
through sqlite3, the cookie secret, the exchange with its set-gid and sticky modes, a
student's home. Run as root, owners are part of what must come back (a student's
submission owned by the student).
"""

import os
import shutil
import sqlite3
import tarfile
from pathlib import Path

import pytest

from deploy import backup
from deploy.layout import Deployment


def _database(path, rows):
    with sqlite3.connect(path) as db:
        db.execute("create table if not exists grade (student text, score real)")
        db.executemany("insert into grade values (?, ?)", rows)


def _scores(path):
    with sqlite3.connect(path) as db:
        return db.execute("select student, score from grade order by student").fetchall()


@pytest.fixture
def dep(tmp_path):
    dep = Deployment(
        root=str(tmp_path / "root"),
        students=["s1", "s2"],
        instructors=["teach"],
        home_base=str(tmp_path / "home"),
    )
    dep.save()
    os.makedirs(dep.hub_dir, mode=0o700)
    _database(os.path.join(dep.hub_dir, "jupyterhub.sqlite"), [("hub", 0.0)])
    secret = Path(dep.hub_dir, "jupyterhub_cookie_secret")
    secret.write_bytes(os.urandom(32).hex().encode())
    secret.chmod(0o600)
    Path(dep.hub_dir, "jupyterhub-proxy.pid").write_text("12345")  # not state
    os.makedirs(os.path.join(dep.course_dir, "source", "rnn"))
    _database(os.path.join(dep.course_dir, "gradebook.db"), [("s1", 6.0), ("s2", 4.5)])
    Path(dep.course_dir, "source", "rnn", "01.ipynb").write_text('{"cells": []}')
    inbound = Path(dep.exchange, dep.course_id, "inbound")
    inbound.mkdir(parents=True)
    os.chmod(dep.exchange, 0o1777)
    os.chmod(inbound, 0o3733)
    submission = inbound / "s1+rnn+2026-12-01 10:00:00 UTC+abc"
    submission.mkdir()
    (submission / "01.ipynb").write_text('{"cells": [1]}')
    os.symlink("01.ipynb", submission / "link-to-own-file")
    for user in dep.hub_users:
        os.makedirs(dep.home(user), mode=0o700)
        Path(dep.home(user), "work.txt").write_text(f"{user}'s work\n")
    if os.geteuid() == 0:  # a student's files are the student's (nobody exists everywhere)
        os.chown(submission / "01.ipynb", 65534, 65534)
    return dep


def test_backup_damage_restore_identical(dep, tmp_path):
    before = backup.snapshot(dep)
    assert "hub/jupyterhub-proxy.pid" not in before
    archive = tmp_path / "backup.tar.gz"
    manifest = backup.create(dep, str(archive))
    assert manifest == before
    assert archive.stat().st_mode & 0o077 == 0  # secrets inside: root only
    assert backup.differences(backup.read_manifest(str(archive)), backup.snapshot(dep)) == []

    # Damage: a lost gradebook, a changed secret, a new score, a stray file, wrong modes,
    # a deleted home.
    os.unlink(os.path.join(dep.course_dir, "gradebook.db"))
    Path(dep.hub_dir, "jupyterhub_cookie_secret").write_text("guessable")
    _database(os.path.join(dep.hub_dir, "jupyterhub.sqlite"), [("later", 1.0)])
    Path(dep.exchange, dep.course_id, "inbound", "planted").write_text("x")
    os.chmod(os.path.join(dep.exchange, dep.course_id, "inbound"), 0o777)
    os.chmod(dep.hub_dir, 0o755)
    shutil.rmtree(dep.home("s2"))
    damage = backup.differences(before, backup.snapshot(dep))
    assert len(damage) >= 6, damage

    assert backup.restore(dep, str(archive)) == []
    assert backup.snapshot(dep) == before
    assert _scores(os.path.join(dep.course_dir, "gradebook.db")) == [("s1", 6.0), ("s2", 4.5)]
    assert _scores(os.path.join(dep.hub_dir, "jupyterhub.sqlite")) == [("hub", 0.0)]
    inbound = os.path.join(dep.exchange, dep.course_id, "inbound")
    assert os.stat(inbound).st_mode & 0o7777 == 0o3733
    assert os.stat(dep.hub_dir).st_mode & 0o777 == 0o700
    assert not [p for p in os.listdir(dep.root) if p.startswith(".restore-")]


def test_backup_copies_a_database_being_written_consistently(dep, tmp_path):
    gradebook = os.path.join(dep.course_dir, "gradebook.db")
    writer = sqlite3.connect(gradebook)
    writer.execute("begin immediate")
    writer.execute("insert into grade values ('s3', 1.0)")  # not committed: not in it
    try:
        backup.create(dep, str(tmp_path / "b.tar.gz"))
    finally:
        writer.rollback()
        writer.close()
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        (tmp_path / "x").mkdir()
        tar.extract("course/gradebook.db", tmp_path / "x", filter="fully_trusted")
    assert _scores(tmp_path / "x" / "course" / "gradebook.db") == [("s1", 6.0), ("s2", 4.5)]


def test_restore_refuses_an_archive_that_writes_outside(dep, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        link = tarfile.TarInfo("hub/etc")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc"
        tar.addfile(link)
        tar.addfile(tarfile.TarInfo("hub/etc/cron.d"))
    with pytest.raises(ValueError, match="refused"):
        backup.restore(dep, str(evil))


def test_backup_command_line(dep, tmp_path, capsys):
    out = tmp_path / "cli.tar.gz"
    assert backup.main(["create", str(out), "--root", dep.root]) == 0
    assert backup.main(["verify", str(out), "--root", dep.root]) == 0
    Path(dep.home("s1"), "work.txt").write_text("changed")
    assert backup.main(["verify", str(out), "--root", dep.root]) == 1
    assert "changed: homes/s1/work.txt" in capsys.readouterr().out
    assert backup.main(["restore", str(out), "--root", dep.root]) == 0
    assert Path(dep.home("s1"), "work.txt").read_text() == "s1's work\n"
