"""How browsers, LMSs and Jupyter name a second copy of a notebook ("x (1).ipynb"), and
which of the assignment's notebooks a copy is. (How each LMS names the files of its bulk
download: lms/.)

Every pattern below is taken from the code that produces the names; the source is cited
next to it.
"""

import re

# ------------------------------------------------------------------ duplicate file names
# Suffixes that browsers, LMSs and Jupyter add to a second copy of a file. Each is removed
# only if what remains is one of the assignment's notebooks (problem-1.ipynb may be a real
# name). The number orders the copies: a higher number is a later copy.
DUPLICATE_SUFFIXES = (
    # Chromium downloads (components/download/.../download_path_reservation_tracker.cc,
    # CreateUniqueFilename: " (%d)") and Moodle file areas (lib/filestorage/
    # file_storage.php, get_unused_filename: "file (1).txt").
    re.compile(r" \((?P<n>\d+)\)$"),
    # Firefox downloads (toolkit/components/downloads/DownloadPaths.sys.mjs,
    # createNiceUniqueFile: base + "(" + i + ")" + ext).
    re.compile(r"\((?P<n>\d+)\)$"),
    # Jupyter's "Duplicate" (jupyter_server services/contents/manager.py: copy_pat
    # "-Copy\d*", increment_filename(name, insert="-Copy")).
    re.compile(r"-Copy(?P<n>\d*)$"),
    # Canvas re-upload into the submissions folder (app/models/attachment.rb,
    # make_unique_filename: "#{basename}-#{addition}", 1..7, then "-<uuid>").
    re.compile(r"-(?P<n>\d+)$"),
    re.compile(r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
)
UUID_COPY = 8  # Canvas falls back to a uuid after "-7"

NOTEBOOK_EXT = ".ipynb"


def notebook_of(filename, notebooks):
    """(notebook file name, copy rank) if ``filename`` is one of ``notebooks``, else None.

    ``notebooks`` are names without ".ipynb". Duplicate suffixes are removed only while the
    name is not a notebook's; the copy rank is the tuple of their numbers, outermost first,
    so "x (2).ipynb" > "x (1).ipynb" > "x.ipynb" in the order of ranks.
    """
    if not filename.endswith(NOTEBOOK_EXT):
        return None
    stem = filename[: -len(NOTEBOOK_EXT)]
    rank = ()
    while stem not in notebooks:
        for pattern in DUPLICATE_SUFFIXES:
            m = pattern.search(stem)
            if m:
                n = m.groupdict().get("n")
                rank += (int(n) if n else (UUID_COPY if n is None else 1),)
                stem = stem[: m.start()]
                break
        else:
            return None
    return stem + NOTEBOOK_EXT, rank
