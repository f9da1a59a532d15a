"""The course's nbgrader collect: only what a student's own account wrote is taken.

Installed into the grader's environment as the module ``rnn_hub_collect`` and selected
with ``c.ExchangeFactory.collect`` (deploy/jupyter_config.py), so the formgrader's
Collect button and ``nbgrader collect`` both use it.

Students must be able to create folders in inbound/ to submit (3733: create, not list,
not delete another's). nbgrader's collect, run as the grader, then trusted two things a
student controls:

  - the contents: it copies with shutil.copytree, which follows symbolic links, so a
    submission of links to the course's source/ became the student's submission (the
    reference solutions, graded 30/30 and shown in their feedback);
  - the name: anyone can create ``inbound/<other>+rnn+<later time>+x``; nbgrader only
    logs "cheating attempt?" and collects it as the other student's latest.

Here an entry is a student's only if the kernel says so: the entry and everything in it
must be owned by the account of the student it names (a student cannot chown, and only
that account's processes create files owned by it). Collect

  - refuses an entry that is not a folder owned by that account, or whose name cannot
    be read, before choosing each student's latest submission, so a forged later entry
    never hides the real one (nor stops the collection of everybody else);
  - refuses an entry holding anything but folders and regular files of that account
    (symbolic links, hard links to another's file, devices, pipes), or too much;
  - copies through file descriptors opened without following links, relative to the
    opened parent folder, and checks every opened file again, so a submission changed
    while it is copied cannot slip a link in.

Checks at collect rather than a folder per student in inbound/: nbgrader's submit, list
and lab extension put every submission directly in inbound/, and the owner of a file is
as unforgeable as a per-student folder's permissions, without changing nbgrader on the
students' side. A refused entry is logged as an error and added to
``<course>/grading/refused_submissions.json`` (what, whose name, whose account, why).
"""

import datetime
import fnmatch
import json
import os
import pwd
import shutil
import stat
from collections import defaultdict

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import check_mode, parse_utc

# Read by the grading pipeline, which lists it in the class summary
# (autograder/grading/intake.py, refused_path).
REFUSED_RECORD = os.path.join("grading", "refused_submissions.json")
MAX_DEPTH = 20  # folders in a submission: nbgrader's own layout has one or two
MAX_FILES = 10_000
CHUNK = 2**20
OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC


class Refused(Exception):
    """This inbound entry is not taken; the message says why."""


def account_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


class Policy:
    """nbgrader's CourseDirectory.ignore/include/max_file_size/max_dir_size, applied
    while copying (nbgrader applies them in copytree's ignore function)."""

    def __init__(self, coursedir, log):
        self.exclude = list(coursedir.ignore or [])
        self.include = list(coursedir.include or [])
        self.max_file_bytes = 1000 * coursedir.max_file_size if coursedir.max_file_size else None
        self.max_total_bytes = 1000 * coursedir.max_dir_size
        self.log = log

    def skips(self, name, path, st):
        if any(fnmatch.fnmatch(name, g) for g in self.exclude):
            return True
        if stat.S_ISREG(st.st_mode):
            if self.include and not any(fnmatch.fnmatch(name, g) for g in self.include):
                return True
            if self.max_file_bytes and st.st_size > self.max_file_bytes:
                self.log.warning("Ignoring file too large: %s", path)
                return True
        return False


class _Transfer:
    """One inbound entry, read through descriptors; written below ``dest`` unless None."""

    def __init__(self, uid, policy, dest):
        self.uid, self.policy, self.dest = uid, policy, dest
        self.files = self.bytes = 0

    def run(self, path):
        try:
            fd = os.open(path, OPEN | os.O_DIRECTORY)
        except OSError as e:
            raise Refused("not a folder (a symbolic link or a file)") from e
        try:
            self._owned(os.fstat(fd), ".")
            if self.dest is not None:
                os.makedirs(self.dest)
            self._folder(fd, "", self.dest, 0)
        except OSError as e:  # e.g. the student removed a file meanwhile: theirs alone fails
            raise Refused(f"could not be read ({e})") from e
        finally:
            os.close(fd)

    def _owned(self, st, rel):
        if st.st_uid != self.uid:
            raise Refused(f"{rel} is owned by {account_name(st.st_uid)}, not by the student")

    def _folder(self, dir_fd, rel, dest, depth):
        if depth > MAX_DEPTH:
            raise Refused(f"folders nested more than {MAX_DEPTH} deep")
        for name in sorted(os.listdir(dir_fd)):
            path = f"{rel}{name}"
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                raise Refused(f"{path} is a symbolic link")
            if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
                raise Refused(f"{path} is not a regular file or folder")
            self._owned(st, path)
            if self.policy.skips(name, path, st):
                continue
            is_dir = stat.S_ISDIR(st.st_mode)
            # O_NONBLOCK: a pipe put there after the stat cannot hang the grader.
            fd = os.open(name, OPEN | (os.O_DIRECTORY if is_dir else os.O_NONBLOCK), dir_fd=dir_fd)
            try:
                opened = os.fstat(fd)
                if (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino):
                    raise Refused(f"{path} was replaced while it was collected")
                target = os.path.join(dest, name) if dest is not None else None
                if is_dir:
                    if target is not None:
                        os.mkdir(target)
                    self._folder(fd, path + "/", target, depth + 1)
                else:
                    self._file(fd, opened, path, target)
            finally:
                os.close(fd)

    def _file(self, fd, st, path, target):
        self.files += 1
        self.bytes += st.st_size
        if self.files > MAX_FILES:
            raise Refused(f"more than {MAX_FILES} files")
        if self.bytes > self.policy.max_total_bytes:
            raise Refused(
                f"larger than CourseDirectory.max_dir_size ({self.policy.max_total_bytes} bytes)"
            )
        if target is None:
            return
        copied = 0
        with open(target, "xb") as out:
            while chunk := os.read(fd, CHUNK):
                copied += len(chunk)
                if copied > st.st_size:
                    raise Refused(f"{path} grew while it was collected")
                out.write(chunk)


class Collect(ExchangeCollect):
    """nbgrader's ExchangeCollect, taking only entries the named student's account owns."""

    def _student_uid(self, student):
        try:
            return pwd.getpwnam(student).pw_uid
        except KeyError:
            raise Refused(f"no account named {student}") from None

    def _read_entry(self, path):
        """nbgrader's record of one inbound entry, or Refused."""
        filename = os.path.basename(path)
        parts = filename.rsplit("+", 3)
        if len(parts) != 4 or parts[1] != self.coursedir.assignment_id:
            raise Refused("not named <student>+<assignment>+<time>+<random>")
        student = parts[0]
        try:
            timestamp = parse_utc(parts[2])
        except (ValueError, OverflowError, TypeError) as e:
            raise Refused(f"the time in the name cannot be read ({e})") from None
        uid = self._student_uid(student)
        try:
            st = os.lstat(path)
        except OSError as e:
            raise Refused(f"could not be read ({e})") from e
        if st.st_uid != uid:
            raise Refused(f"made by {account_name(st.st_uid)}, not by {student}")
        _Transfer(uid, self.policy, None).run(path)
        return {"username": student, "filename": filename, "timestamp": timestamp, "uid": uid}

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        self.policy = Policy(self.coursedir, self.log)
        self.refusals = []
        self.uids = {}
        # nbgrader's glob: <student or any>+<assignment>+*
        pattern = f"{self.coursedir.student_id or '*'}+{self.coursedir.assignment_id}+*"
        groups = defaultdict(list)
        for filename in sorted(fnmatch.filter(os.listdir(self.inbound_path), pattern)):
            path = os.path.join(self.inbound_path, filename)
            try:
                record = self._read_entry(path)
            except Refused as e:
                self._refuse(path, str(e))
                continue
            self.uids[path] = record["uid"]
            groups[record["username"]].append(record)
        self.duedate = self._duedate()
        self.src_records = [self._choose(records) for records in groups.values()]

    def _duedate(self):
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                return gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                return None

    def _choose(self, records):
        """nbgrader's choice: the latest, or with --before-duedate the latest on time."""
        records = self._sort_by_timestamp(records)
        if self.duedate is not None and self.before_duedate:
            on_time = [r for r in records if r["timestamp"] <= self.duedate]
            if on_time:
                return on_time[0]
        return records[0]

    def do_copy(self, src, dest, log=None):
        # Checked in init_src already: a refusal here means the student changed the entry
        # since (nbgrader has then removed their earlier collected copy: their doing).
        staging = dest + ".collecting"
        try:
            _Transfer(self.uids[src], self.policy, staging).run(src)
        except Refused as e:
            shutil.rmtree(staging, ignore_errors=True)
            self._refuse(src, str(e))
            return
        os.rename(staging, dest)

    def _refuse(self, path, reason):
        name = os.path.basename(path)
        try:
            owner = account_name(os.lstat(path).st_uid)
        except OSError:
            owner = "unknown"
        self.log.error("Refused %s (owned by %s): %s", path, owner, reason)
        self.refusals.append(
            {
                "entry": name,
                "named_student": name.split("+", 1)[0],
                "owner": owner,
                "reason": reason,
                "refused_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            }
        )

    def copy_files(self):
        try:
            super().copy_files()
        finally:
            self._write_refusals()

    def _write_refusals(self):
        if not self.refusals:
            return
        path = os.path.join(self.coursedir.root, REFUSED_RECORD)
        try:
            with open(path, encoding="utf-8") as f:
                known = json.load(f)
        except (OSError, ValueError):
            known = []
        seen = {(r.get("entry"), r.get("reason")) for r in known}
        known += [r for r in self.refusals if (r["entry"], r["reason"]) not in seen]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(known, f, indent=1)
        os.replace(path + ".tmp", path)
