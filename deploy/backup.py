"""Back up and restore a deployment's state. Run as root, with the hub stopped for a restore.

    python -m deploy.backup create  [--root DIR] [--out FILE]   # -> FILE (.tar.gz)
    python -m deploy.backup verify  FILE [--root DIR]            # live tree == FILE?
    python -m deploy.backup restore FILE [--root DIR]            # put FILE's state back

The state is what cannot be rebuilt by ``deploy.setup`` (``STATE``): deployment.json,
hub/ (JupyterHub's database, cookie secret, the trial password, whatever else the hub
keeps there), the nbgrader course (gradebook.db, source/, release/, submitted/,
autograded/, feedback/, the pipeline's grading/ archive), the exchange (the submissions
as students sent them) and every hub user's home (their work). Not in it: env/,
grader/venv, grader/instructor (setup rebuilds them from the repository).

SQLite databases are copied with SQLite's online backup (consistent even while the
formgrader or the hub writes), everything else as it is, with its mode and its owner
*by name* (a restore on a new server, whose setup gave the accounts other uids, chowns to
the same accounts). A manifest in the archive lists every entry's sha256, mode and
owner; ``restore`` replaces each backed-up tree by the archive's and then checks the
result against the manifest, ``verify`` compares the live deployment with it.
"""

import argparse
import datetime
import grp
import hashlib
import io
import json
import os
import pwd
import shutil
import sqlite3
import stat
import sys
import tarfile
import tempfile

from .layout import DEFAULT_ROOT, Deployment

MANIFEST = "MANIFEST.json"
SQLITE_MAGIC = b"SQLite format 3\x00"
# Never state: the proxy's pid file (the proxy that wrote it is gone after a restart).
SKIP = {"jupyterhub-proxy.pid"}


def state(dep):
    """{name in the archive: live path} of everything a backup holds."""
    trees = {
        "deployment.json": dep.settings_file,
        "hub": dep.hub_dir,
        "course": dep.course_dir,
        "exchange": dep.exchange,
    }
    for user in dep.hub_users:
        trees[f"homes/{user}"] = dep.home(user)
    return {name: path for name, path in trees.items() if os.path.lexists(path)}


def _owner(st):
    def name(lookup, key):
        try:
            return lookup(key)[0]
        except KeyError:
            return str(key)

    return name(pwd.getpwuid, st.st_uid), name(grp.getgrgid, st.st_gid)


def _is_sqlite(path):
    with open(path, "rb") as f:
        return f.read(16) == SQLITE_MAGIC


def _sqlite_copy(path):
    """The bytes of a consistent copy of a SQLite database (its online backup API)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "copy.db")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        with open(copy, "rb") as f:
            return f.read()


def _walk(top):
    """``top`` and everything below it, parents first, links not followed, sockets
    (a kernel's, in a home) left out: they are no state."""
    yield top
    if os.path.isdir(top) and not os.path.islink(top):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                path = os.path.join(dirpath, name)
                if name not in SKIP and not stat.S_ISSOCK(os.lstat(path).st_mode):
                    yield path


def _entry(path, data=None):
    """What the manifest records of one path (``data``: the file's bytes, if read)."""
    st = os.lstat(path)
    user, group = _owner(st)
    entry = {"mode": stat.S_IMODE(st.st_mode), "user": user, "group": group}
    if stat.S_ISLNK(st.st_mode):
        entry["link"] = os.readlink(path)
    elif stat.S_ISDIR(st.st_mode):
        entry["dir"] = True
    elif not stat.S_ISREG(st.st_mode):
        entry["type"] = stat.S_IFMT(st.st_mode)  # a fifo or device: no content
    else:
        if data is None:
            with open(path, "rb") as f:
                data = f.read()
        entry["sha256"] = hashlib.sha256(data).hexdigest()
    return entry


def snapshot(dep):
    """{archive name: entry} of the live state, as the manifest would record it.

    SQLite files are compared by a consistent copy's bytes (what a backup stores)."""
    entries = {}
    for name, top in state(dep).items():
        for path in _walk(top):
            arcname = name + path[len(top) :]
            data = _sqlite_copy(path) if _is_regular_sqlite(path) else None
            entries[arcname] = _entry(path, data)
    return entries


def _is_regular_sqlite(path):
    return os.path.isfile(path) and not os.path.islink(path) and _is_sqlite(path)


def create(dep, out):
    """Write the state of ``dep`` to the archive ``out`` (mode 0600); return the manifest."""
    manifest = {}
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w:gz") as tar:
        for name, top in state(dep).items():
            for path in _walk(top):
                arcname = name + path[len(top) :]
                info = tar.gettarinfo(path, arcname)
                info.uname, info.gname = _owner(os.lstat(path))
                if info is None:  # a socket that appeared meanwhile
                    continue
                if info.isreg():
                    data = _sqlite_copy(path) if _is_sqlite(path) else None
                    if data is None:
                        with open(path, "rb") as src:
                            data = src.read()
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                    manifest[arcname] = _entry(path, data)
                else:
                    tar.addfile(info)
                    manifest[arcname] = _entry(path)
        blob = json.dumps({"root": dep.root, "entries": manifest}, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(blob), 0o600
        tar.addfile(info, io.BytesIO(blob))
    return manifest


def read_manifest(archive):
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile(MANIFEST))["entries"]


def differences(expected, actual):
    """Lines saying where ``actual`` differs from ``expected`` (both snapshots)."""
    lines = [f"missing: {n}" for n in sorted(expected.keys() - actual.keys())]
    lines += [f"not in the backup: {n}" for n in sorted(actual.keys() - expected.keys())]
    for name in sorted(expected.keys() & actual.keys()):
        if expected[name] != actual[name]:
            lines.append(f"changed: {name}: {actual[name]} (backup: {expected[name]})")
    return lines


def restore(dep, archive):
    """Replace every backed-up tree of ``dep`` by the archive's; return the differences
    that remain against its manifest (none if the restore is complete)."""
    targets = {
        "deployment.json": dep.settings_file,
        "hub": dep.hub_dir,
        "course": dep.course_dir,
        "exchange": dep.exchange,
        **{f"homes/{u}": dep.home(u) for u in dep.hub_users},
    }
    with tarfile.open(archive, "r:gz") as tar:
        unsafe = list(unsafe_members(tar))
        if unsafe:
            raise ValueError(f"{archive}: refused, names outside the deployment: {unsafe[:5]}")
        members = [m for m in tar.getmembers() if m.name != MANIFEST]
        tops = {m.name for m in members if m.name in targets}
        manifest = json.load(tar.extractfile(MANIFEST))["entries"]
        with tempfile.TemporaryDirectory(dir=dep.root, prefix=".restore-") as staging:
            # The whole archive first, then each tree moves into place. Not tarfile's
            # "data" or "tar" filters: they clear the set-gid and sticky bits the exchange
            # needs; unsafe_members refused names that could leave the staging folder.
            trusted = {"filter": "fully_trusted"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(staging, members=members, **trusted)
            for name in sorted(tops):
                _apply_owners(staging, name, manifest)
                live = targets[name]
                if os.path.isdir(live) and not os.path.islink(live):
                    shutil.rmtree(live)
                elif os.path.lexists(live):
                    os.unlink(live)
                os.makedirs(os.path.dirname(live), exist_ok=True)
                shutil.move(os.path.join(staging, name), live)  # homes: maybe another disk
    return differences(manifest, snapshot(dep))


def _apply_owners(staging, top, manifest):
    """Owners by name and modes exactly as recorded (tar applies the umask and, run as
    someone else than root, no owner at all)."""
    for arcname, entry in manifest.items():
        if arcname != top and not arcname.startswith(top + "/"):
            continue
        path = os.path.join(staging, arcname)
        if os.geteuid() == 0:
            uid = _lookup(pwd.getpwnam, entry["user"])
            gid = _lookup(grp.getgrnam, entry["group"])
            os.lchown(path, uid, gid)
        if "link" not in entry:
            os.chmod(path, entry["mode"])


def _lookup(by_name, name):
    try:
        return by_name(name)[2]
    except KeyError:
        return int(name)  # recorded as a number: no such account when it was made


def unsafe_members(tar):
    """Names that would be written outside the deployment: absolute, with "..", or
    below a link of the archive (extracted through it), or hard links out of it."""
    links = set()
    for m in tar.getmembers():
        parts = m.name.split("/")
        below_link = any("/".join(parts[:i]) in links for i in range(1, len(parts)))
        if m.name.startswith("/") or ".." in parts or below_link:
            yield m.name
        elif m.islnk() and (m.linkname.startswith("/") or ".." in m.linkname.split("/")):
            yield m.name
        if m.issym():
            links.add(m.name)


def default_archive(dep):
    folder = os.path.join(dep.root, "backups")  # outside every backed-up tree
    os.makedirs(folder, mode=0o700, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    return os.path.join(folder, f"rnn-course-{stamp}.tar.gz")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("action", choices=("create", "verify", "restore"))
    p.add_argument("archive", nargs="?", help="the backup file (create: default in <root>/backups)")
    p.add_argument("--root", default=os.environ.get("RNN_COURSE_ROOT", DEFAULT_ROOT))
    args = p.parse_args(argv)
    dep = Deployment.load(os.path.abspath(args.root))
    if args.action == "create":
        out = args.archive or default_archive(dep)
        manifest = create(dep, out)
        print(f"{out}: {len(manifest)} entries of {dep.root}")
        return 0
    if not args.archive:
        p.error(f"{args.action} needs the backup file")
    if args.action == "verify":
        lines = differences(read_manifest(args.archive), snapshot(dep))
    else:
        lines = restore(dep, args.archive)
    print("\n".join(lines) or f"{dep.root} matches {args.archive}")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
