"""Unpack submission archives one member at a time, so that one bad member (or archive)
is reported and skipped instead of stopping the run.

nbgrader's ExtractorPlugin unpacks whole archives with setuptools' unpack_archive, which
silently drops unsafe members and has no size limits; zip_collect then stops for every
student on the first error. ``SafeExtractor`` keeps the plugin interface (it can be given
to ``nbgrader zip_collect --extractor=autograder.intake.archives.SafeExtractor``) and does
the unpacking itself: regular files only, no absolute or ``..`` paths, no links, limits on
sizes and on the number of members, and a reason for everything it leaves out.
"""

import os
import shutil
import stat
import tarfile
import time
import zipfile
from dataclasses import dataclass

from nbgrader.plugins import ExtractorPlugin

ZIP_EXTS = (".zip",)
TAR_EXTS = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
UNSUPPORTED_EXTS = (".rar", ".7z")
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 200 * 2**20
MAX_ARCHIVE_BYTES = 2 * 2**30
CHUNK = 2**20


def archive_kind(name):
    """The kind of archive ``name`` is: "zip", "tar", "unsupported", or None (not one)."""
    lower = name.lower()
    if lower.endswith(ZIP_EXTS):
        return "zip"
    if lower.endswith(TAR_EXTS):
        return "tar"
    if lower.endswith(UNSUPPORTED_EXTS):
        return "unsupported"
    return None


def archive_stem(name):
    """``name`` without its archive extension ("alice.tar.gz" -> "alice")."""
    lower = name.lower()
    for ext in sorted(ZIP_EXTS + TAR_EXTS + UNSUPPORTED_EXTS, key=len, reverse=True):
        if lower.endswith(ext):
            return name[: -len(ext)]
    return name


@dataclass
class Member:
    """One regular file taken out of an archive."""

    name: str  # its path inside the archive ("/"-separated)
    path: str  # where it was written
    mtime: float  # its modification time, as stored in the archive


class ArchiveError(Exception):
    """The archive as a whole cannot be read; the message says why."""


def unsafe_reason(name):
    """Why a member name must not be written anywhere, or None if it is safe."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(parts[0]) == 2 and parts[0][1] == ":"):
        return f"unsafe path in the archive (absolute): {name}"
    if ".." in parts:
        return f"unsafe path in the archive (leads outside it): {name}"
    return None


class Budget:
    """The byte and member limits of one archive together with every archive inside it:
    each nested archive taking a fresh budget let 1.8 MB unpack to 1.9 GB."""

    def __init__(self):
        self.members = 0
        self.bytes = 0

    def take(self, size):
        self.members += 1
        self.bytes += size
        if self.members > MAX_MEMBERS:
            raise ArchiveError(f"more than {MAX_MEMBERS} files in the archive (and those in it)")
        if self.bytes > MAX_ARCHIVE_BYTES:
            raise ArchiveError(
                f"unpacks to more than {MAX_ARCHIVE_BYTES / 2**30:.3g} GiB "
                "(with the archives it is in or holds)"
            )


def _copy_limited(src, dest_path):
    """Copy a member stream to ``dest_path``; False if it is larger than allowed."""
    written = 0
    with open(dest_path, "wb") as out:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > MAX_MEMBER_BYTES:
                break
            out.write(chunk)
    if written > MAX_MEMBER_BYTES:
        os.remove(dest_path)
        return False
    return True


class Unpacker:
    """Writes the members of archives as numbered files below ``dest`` (the member's
    own name is never used as a path) and collects (member name, reason) problems."""

    def __init__(self, dest):
        self.dest = dest
        self.count = 0
        os.makedirs(dest, exist_ok=True)

    def _target(self, name):
        self.count += 1
        return os.path.join(self.dest, f"{self.count:05d}-{os.path.basename(name)}")

    def unpack(self, archive_path, budget=None):
        """([Member], [(member name, reason)]); raises ArchiveError if unreadable or over
        ``budget`` (pass the outer archive's Budget when unpacking an archive in it)."""
        kind = archive_kind(archive_path)
        budget = budget or Budget()
        try:
            if kind == "zip":
                return self._unpack_zip(archive_path, budget)
            if kind == "tar":
                return self._unpack_tar(archive_path, budget)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as e:
            raise ArchiveError(f"not a readable archive ({e})") from e
        raise ArchiveError(f"archive format not supported ({os.path.basename(archive_path)})")

    def _unpack_zip(self, path, budget):
        members, problems = [], []
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.is_dir():
                    continue
                budget.take(info.file_size)
                reason = unsafe_reason(info.filename) or _zip_type_problem(info)
                if reason is None:
                    reason = self._extract_zip_member(z, info, members)
                if reason:
                    problems.append((info.filename, reason))
        return members, problems

    def _extract_zip_member(self, z, info, members):
        target = self._target(info.filename)
        try:
            with z.open(info) as src:
                if not _copy_limited(src, target):
                    return f"larger than {MAX_MEMBER_BYTES // 2**20} MB"
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as e:
            if os.path.exists(target):
                os.remove(target)
            return f"damaged in the archive ({e})"
        mtime = time.mktime((*info.date_time, 0, 0, -1))
        os.utime(target, (mtime, mtime))
        members.append(Member(info.filename, target, mtime))
        return None

    def _unpack_tar(self, path, budget):
        members, problems = [], []
        with tarfile.open(path) as t:
            for info in t:
                if info.isdir():
                    continue
                budget.take(info.size)
                reason = unsafe_reason(info.name)
                if reason is None and not info.isfile():
                    reason = "a link or special file, not a regular file"
                if reason is None:
                    reason = self._extract_tar_member(t, info, members)
                if reason:
                    problems.append((info.name, reason))
        return members, problems

    def _extract_tar_member(self, t, info, members):
        target = self._target(info.name)
        try:
            src = t.extractfile(info)
            if not _copy_limited(src, target):
                return f"larger than {MAX_MEMBER_BYTES // 2**20} MB"
        except (tarfile.TarError, OSError, EOFError) as e:
            if os.path.exists(target):
                os.remove(target)
            return f"damaged in the archive ({e})"
        os.utime(target, (info.mtime, info.mtime))
        members.append(Member(info.name, target, float(info.mtime)))
        return None


def _zip_type_problem(info):
    """A reason to skip a zip member that is not a regular file (a symbolic link)."""
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 if the zip tool did not record it
    if kind and kind != stat.S_IFREG:
        return "a link or special file, not a regular file"
    return None


class SafeExtractor(ExtractorPlugin):
    """nbgrader's ExtractorPlugin interface on top of ``Unpacker``.

    Every archive below ``archive_path`` is unpacked into its own folder (named after the
    archive, as nbgrader does) with its members' relative paths; unsafe or damaged members
    and unreadable archives are logged and skipped, the others are extracted. Archives in
    archives are unpacked too (into a folder named after them), as nbgrader does.
    """

    max_depth = 3

    def extract(self, archive_path, extracted_path):
        for root, _, files in os.walk(archive_path):
            rel = os.path.relpath(root, archive_path)
            for name in sorted(files):
                src = os.path.join(root, name)
                dest = os.path.normpath(os.path.join(extracted_path, rel))
                os.makedirs(dest, exist_ok=True)
                if archive_kind(name) in ("zip", "tar"):
                    self._extract_one(src, os.path.join(dest, archive_stem(name)), Budget())
                else:
                    shutil.copy(src, os.path.join(dest, name))

    def _extract_one(self, archive, folder, budget, depth=0):
        if depth >= self.max_depth:
            self.log.warning("Skipped %s: archives nested more than %d deep", archive, depth)
            return
        staging = folder + ".unpacking"
        try:
            members, problems = Unpacker(staging).unpack(archive, budget)
        except ArchiveError as e:
            self.log.warning("Skipped %s: %s", archive, e)
            shutil.rmtree(staging, ignore_errors=True)
            return
        for name, reason in problems:
            self.log.warning("Skipped %s in %s: %s", name, archive, reason)
        for member in members:
            dest = os.path.join(folder, *member.name.replace("\\", "/").split("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if archive_kind(dest) in ("zip", "tar"):
                self._extract_one(member.path, archive_stem(dest), budget, depth + 1)
            else:
                shutil.move(member.path, dest)
        shutil.rmtree(staging, ignore_errors=True)
