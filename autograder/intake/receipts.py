"""The zone of an LMS's naive attempt time: from its receipt, else the course's setting.

Blackboard Learn's file names carry the attempt's time in the server's local time,
without a zone ("RNN_jdoe_attempt_2026-03-02-23-30-00_x.ipynb", lms/blackboard.py). Beside
them is one receipt per attempt ("RNN_jdoe_attempt_2026-03-02-23-30-00.txt") that states
the zone (the LMS's ``stated_zone`` reads the word: "CET"; CodeGra.de reads "CET" as
Europe/Amsterdam). A zone abbreviation is resolved with the course's own zone when that
zone has the abbreviation at that time (CET is Europe/Berlin's in winter), else by a
table of abbreviations that name one offset only; "CST", "IST", "BST" name several and
need the course's zone.
"""

import re
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .lms import BY_KEY, parse_lms_name

OFFSET = re.compile(r"(?:GMT|UTC)?(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d\d)?$")
# Abbreviations with one meaning only (the tz database's); offsets in hours.
ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "MET": 1, "MEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "AEST": 10, "AEDT": 11,
    "ACST": 9.5, "ACDT": 10.5, "AWST": 8, "NZST": 12, "NZDT": 13, "JST": 9, "KST": 9,
    "HKT": 8, "SGT": 8,
}  # fmt: skip


def zone_named(name):
    """ZoneInfo(name); ValueError naming the setting if it is no zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not a time zone (use a tz database name such as Europe/Berlin)"
        ) from None


def resolve(word, local_time, course_zone):
    """(tzinfo, how) for a receipt's zone ``word`` at the naive ``local_time``, or
    (None, why not)."""
    if course_zone is not None and course_zone.tzname(local_time) == word:
        return course_zone, f"{course_zone.key} ({word}, as the receipt states)"
    if "/" in word:
        try:
            return ZoneInfo(word), f"{word} (the receipt's zone)"
        except (ZoneInfoNotFoundError, ValueError):
            pass
    m = OFFSET.match(word)
    if m:
        minutes = int(m["h"]) * 60 + int(m["m"] or 0)
        sign = -1 if m["sign"] == "-" else 1
        return timezone(sign * timedelta(minutes=minutes), word), f"{word} (the receipt's)"
    if word in ABBREVIATIONS:
        offset = timedelta(hours=ABBREVIATIONS[word])
        return timezone(offset, word), f"{word} (the receipt's zone)"
    return None, f"the receipt's zone {word!r} names no single zone"


def course_timezone(course_dir):
    """The course's setting (nbgrader_config.py: c.LmsCollector.lms_timezone), or None."""
    import os

    from traitlets.config.loader import PyFileConfigLoader

    if not os.path.exists(os.path.join(course_dir, "nbgrader_config.py")):
        return None
    config = PyFileConfigLoader("nbgrader_config.py", path=course_dir).load_config()
    return config.LmsCollector.get("lms_timezone") or None


def receipt_zones(found, course_zone):
    """{(LMS key, naive time): (tzinfo, how) or (None, why)} of the LMSs' receipts among
    ``found`` (FoundFile), so that each attempt's files get their receipt's zone."""
    zones = {}
    for f in found:
        lms = parse_lms_name(f.parts[-1])
        if not (lms and lms.receipt):
            continue
        try:
            with open(f.path, encoding="utf-8", errors="replace") as fh:
                word = BY_KEY[lms.lms].stated_zone(fh.read(64 * 1024))
        except OSError:
            continue
        if word:
            zones[(lms.key, lms.timestamp)] = resolve(word, lms.timestamp, course_zone)
    return zones
