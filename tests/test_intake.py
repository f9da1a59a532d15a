"""Intake: every file of a submissions folder is graded or listed with its reason.

Downloads are built by the tests, named exactly as Canvas, Moodle and Blackboard name
them (tests/lms_fixtures.py); no grading runs here.
"""

import os
import time
from datetime import UTC, datetime

import lms_fixtures as lf
import pytest
from nbgrader.utils import parse_utc

from autograder.intake import archives, collect, write_submitted
from autograder.intake.duplicates import notebook_of
from autograder.intake.lms import parse_lms_name
from autograder.roster import Roster, Student
from course.exercises import notebooks

NOTEBOOKS = [n + ".ipynb" for n in notebooks()]
NB1, NB2, NB3 = lf.NB1, lf.NB2, lf.NB3

ROSTER = Roster(
    [
        Student("alee", "Ann", "Lee", "ann@example.org", "12345"),
        Student("pobrien", "Pat", "OBrien", "pat@example.org", "23456"),
        Student("skim", "Sam", "Kim"),
        Student("jdoe", "Jo", "Doe"),
        Student("carol", "Carol", "Cho"),
        Student("erin", "Erin", "Eze"),
    ]
)


def run(source, roster=ROSTER, **kw):
    return collect(str(source), NOTEBOOKS, roster, unpack_to=str(source) + "-unpacked", **kw)


def files(result):
    """{student: {notebook: marker of the file to grade}}."""
    return {
        s: {nb: lf.marker(path) for nb, path in sub.files.items()}
        for s, sub in result.students.items()
    }


def skipped(result):
    return {s.file: s.code for s in result.skipped}


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    "name,expected",
    [
        (NB1, (NB1, ())),
        ("01_building_blocks (1).ipynb", (NB1, (1,))),  # Chromium, Moodle
        ("01_building_blocks(2).ipynb", (NB1, (2,))),  # Firefox
        ("01_building_blocks-1.ipynb", (NB1, (1,))),  # Canvas re-upload
        ("01_building_blocks-Copy1.ipynb", (NB1, (1,))),  # Jupyter
        ("01_building_blocks-Copy1 (1).ipynb", (NB1, (1, 1))),
        ("01_building_blocks-0b5b4e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.ipynb", (NB1, (8,))),
        ("01_building_blocks_final.ipynb", None),
        ("01_building_blocks.py", None),
    ],
)
def test_duplicate_suffixes_are_recognised_only_for_the_assignments_notebooks(name, expected):
    assert notebook_of(name, {n[:-6] for n in NOTEBOOKS}) == expected


def test_lms_names_are_parsed_as_each_lms_writes_them():
    canvas = parse_lms_name(f"o_brienpat_LATE_23456_900003_{NB1}")
    assert (canvas.lms, canvas.key, canvas.name, canvas.file, canvas.late) == (
        "canvas",
        "23456",
        "o_brienpat",
        NB1,
        True,
    )
    moodle = parse_lms_name("Group A-Ann Lee_1234567_assignsubmission_file_")
    assert (moodle.lms, moodle.key, moodle.name, moodle.file) == (
        "moodle",
        "1234567",
        "Group A-Ann Lee",
        "",
    )
    bb = parse_lms_name(f"ps1_bitdiddle_attempt_2016-01-30-15-30-10_{NB1}")
    assert (bb.key, bb.file, bb.timestamp) == ("bitdiddle", NB1, datetime(2016, 1, 30, 15, 30, 10))
    assert parse_lms_name("ps1_bitdiddle_attempt_2016-01-30-15-30-10.txt").receipt
    assert parse_lms_name(NB1) is None and parse_lms_name("alice") is None


# ------------------------------------------------------------------ each LMS


def test_canvas_bulk_download(tmp_path):
    lf.canvas_download(tmp_path / "in")
    result = run(tmp_path / "in")
    assert files(result) == {
        "alee": {NB1: "canvas lee nb1", NB2: "canvas lee nb2"},
        "pobrien": {NB1: "canvas obrien nb1"},
        "skim": {NB3: "canvas kim nb3"},  # no Canvas id on the roster: matched by name
    }
    assert "Canvas marked the submission late" in result.students["pobrien"].notes
    assert any("matched to the roster by name" in n for n in result.students["skim"].notes)
    z = lf.CANVAS_ZIP
    assert skipped(result) == {
        f"{z}/leeann_12345_900005_notes.txt": "not a notebook",
        f"{z}/leeann_12345_900006_homework.ipynb": "unrecognised notebook",
        f"{z}/anon_AbC12_900007_{NB1}": "unknown student",
        f"{z}/kimsam_45678_900008_submission.zip/rnn/.ipynb_checkpoints/"
        "03_bptt-checkpoint.ipynb": "system file",
        f"{z}/kimsam_45678_900008_submission.zip/__MACOSX/rnn/._{NB3}": "system file",
        f"{z}/nobodyx_99999_900009_{NB1}": "unknown student",
    }
    assert result.counts() == {"found": 10, "graded": 4, "skipped": 6}
    assert result.students["alee"].timestamp is None  # Canvas gives no times


def test_canvas_without_a_roster_uses_the_canvas_user_ids(tmp_path):
    lf.canvas_download(tmp_path / "in")
    result = run(tmp_path / "in", roster=None)
    assert sorted(result.students) == ["12345", "23456", "45678", "99999"]


def test_moodle_bulk_download_in_folders_and_flat(tmp_path):
    lf.moodle_download(tmp_path / "in")
    result = run(tmp_path / "in")
    assert files(result) == {
        "alee": {NB1: "moodle lee nb1 new"},  # "(1)": Moodle's later copy
        "pobrien": {NB2: "moodle obrien"},
        "skim": {NB3: "moodle kim flat"},
    }
    codes = skipped(result)
    assert codes[f"{lf.MOODLE_ZIP}/Ann Lee_1234567_assignsubmission_file_/{NB1}"] == (
        "older duplicate"
    )
    assert codes[
        f"{lf.MOODLE_ZIP}/Ann Lee_1234567_assignsubmission_onlinetext_onlinetext.html"
    ] == ("not a notebook")


def test_moodle_participant_numbers_map_through_lms_user_id(tmp_path):
    lf.moodle_download(tmp_path / "in")
    roster = Roster([Student("s1", lms_user_id="1234567"), Student("s2", lms_user_id="5555555")])
    result = run(tmp_path / "in", roster=roster)
    assert sorted(result.students) == ["s1", "s2"]
    reasons = {s.reason for s in result.skipped if s.code == "unknown student"}
    assert reasons == {"Moodle participant 7654321 (Pat OBrien) is not on the roster"}


def test_blackboard_attempts_the_latest_wins_and_its_time_is_kept(tmp_path):
    lf.blackboard_download(tmp_path / "in")
    result = run(tmp_path / "in", lms_timezone="America/New_York")
    assert files(result) == {"jdoe": {NB1: "bb second attempt"}}
    # 09:30 in New York (EST, UTC-5) is 14:30 UTC, and nbgrader reads it back as such
    sub = result.students["jdoe"]
    assert sub.timestamp == datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert parse_utc(sub.timestamp_text()) == datetime(2026, 3, 2, 14, 30)
    codes = skipped(result)
    assert list(codes.values()).count("submission time") == 2  # the receipts
    assert codes[f"{lf.BLACKBOARD_ZIP}/RNN_mroe_attempt_2026-03-01-11-00-00_{NB2}"] == (
        "unknown student"
    )


# ------------------------------------------------------------------ folders and archives


def mixed_folder(root):
    """nbgrader's layout, per-student folders and archives, broken files, in one folder."""
    lf.write(f"{root}/carol/rnn/{NB1}", lf.notebook("carol nb1"))
    lf.write(f"{root}/carol/rnn/timestamp.txt", "2026-03-01 12:00:00.000000 UTC")
    lf.write(f"{root}/carol/rnn/helpers.py", "x = 1")
    lf.write(f"{root}/skim/{NB2}", lf.notebook("skim folder nb2"))
    # the example: a browser's "(1)" in a zip
    lf.zip_files(f"{root}/erin.zip", {"my work/02_rnn_forward (1).ipynb": lf.notebook("erin")})
    # the same student in a folder and in a zip: the "(1)" copy is the later one
    lf.write(f"{root}/jdoe/rnn/{NB3}", lf.notebook("jdoe folder"))
    lf.zip_files(f"{root}/jdoe.zip", {"03_bptt (1).ipynb": lf.notebook("jdoe zip")})
    lf.tar_files(
        f"{root}/alee.tar.gz", {f"rnn/{NB1}": lf.notebook("alee tar")}, [("rnn/link", "/etc")]
    )
    with open(f"{root}/frank.zip", "wb") as f:
        f.write(b"not a zip at all")
    lf.zip_files(
        f"{root}/pobrien.zip",
        {"../../escape.ipynb": lf.notebook("escape"), NB2: lf.notebook("pobrien zip")},
    )
    lf.write(f"{root}/{NB1}", lf.notebook("whose?"))
    lf.write(f"{root}/notes.rar", "rar")


def test_mixed_folder_of_layouts_and_archives(tmp_path):
    mixed_folder(tmp_path / "in")
    result = run(tmp_path / "in")
    assert files(result) == {
        "carol": {NB1: "carol nb1"},
        "skim": {NB2: "skim folder nb2"},
        "erin": {NB2: "erin"},
        "jdoe": {NB3: "jdoe zip"},
        "alee": {NB1: "alee tar"},
        "pobrien": {NB2: "pobrien zip"},
    }
    assert result.students["carol"].timestamp == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert skipped(result) == {
        "carol/rnn/timestamp.txt": "submission time",
        "carol/rnn/helpers.py": "not a notebook",
        f"jdoe/rnn/{NB3}": "older duplicate",
        "alee.tar.gz/rnn/link": "unreadable",
        "frank.zip": "unreadable",
        "pobrien.zip/../../escape.ipynb": "unreadable",
        NB1: "no student",
        "notes.rar": "unreadable",
    }
    reasons = {s.file: s.reason for s in result.skipped}
    assert "not a readable archive" in reasons["frank.zip"]
    assert "unsafe path" in reasons["pobrien.zip/../../escape.ipynb"]
    assert (
        "older copy of 03_bptt.ipynb (graded: jdoe.zip/03_bptt (1).ipynb)"
        in (reasons[f"jdoe/rnn/{NB3}"])
    )
    assert not (tmp_path / "escape.ipynb").exists()


def test_every_file_is_graded_or_listed_exactly_once(tmp_path):
    root = tmp_path / "in"
    mixed_folder(root)
    lf.canvas_download(root)
    lf.moodle_download(root / "moodle")
    lf.blackboard_download(root)
    result = run(root)
    listed = [s.file for s in result.skipped] + [
        f for sub in result.students.values() for f in sub.sources.values()
    ]
    assert len(listed) == len(set(listed)) == result.found
    assert result.found == result.graded + len(result.skipped)
    plain = {
        os.path.relpath(os.path.join(d, f), root)
        for d, _, fs in os.walk(root)
        for f in fs
        if not f.endswith((".zip", ".gz"))
    }
    assert plain <= set(listed)  # every plain file (archives: their members)
    report = result.report()
    assert report.startswith(f"found {result.found} file(s)")
    assert "older duplicate" in report and "unknown student" in report


def test_oversized_members_are_skipped_and_the_rest_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 100)
    lf.zip_files(
        str(tmp_path / "in" / "erin.zip"),
        {NB1: lf.notebook("x" * 200), NB2: lf.notebook("small")},
    )
    result = run(tmp_path / "in")
    assert files(result) == {"erin": {NB2: "small"}}
    assert "larger than" in result.skipped[0].reason


def test_links_in_zips_are_skipped(tmp_path):
    import stat
    import zipfile

    os.makedirs(tmp_path / "in")
    with zipfile.ZipFile(tmp_path / "in" / "erin.zip", "w") as z:
        link = zipfile.ZipInfo(NB2)
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
        z.writestr(NB1, lf.notebook("erin nb1"))
    result = run(tmp_path / "in")
    assert files(result) == {"erin": {NB1: "erin nb1"}}
    assert [(s.file, s.reason) for s in result.skipped] == [
        (f"erin.zip/{NB2}", "a link or special file, not a regular file")
    ]


# ------------------------------------------------------------------ writing


def test_write_submitted_adds_and_never_deletes(tmp_path):
    submitted = tmp_path / "course" / "submitted"
    other = submitted / "zed" / "rnn" / NB1
    lf.write(str(other), "zed's work")
    old = time.time() - 3600
    os.utime(other, (old, old))
    earlier = submitted / "carol" / "rnn" / NB2  # from an earlier batch: kept
    lf.write(str(earlier), lf.notebook("carol earlier nb2"))
    mixed_folder(tmp_path / "in")
    result = run(tmp_path / "in")

    report = write_submitted(result, str(submitted), "rnn")
    assert report.written["carol"] == [NB1, "timestamp.txt"]
    assert lf.marker(submitted / "carol" / "rnn" / NB1) == "carol nb1"
    assert lf.marker(earlier) == "carol earlier nb2"
    assert other.read_text() == "zed's work" and other.stat().st_mtime == pytest.approx(old)
    assert parse_utc((submitted / "carol" / "rnn" / "timestamp.txt").read_text()) == (
        datetime(2026, 3, 1, 12)
    )
    assert not (submitted / "carol" / "rnn" / "helpers.py").exists()

    again = write_submitted(result, str(submitted), "rnn")
    assert again.written == {} and sorted(again.unchanged) == sorted(result.students)


def test_an_older_download_never_replaces_a_newer_submission(tmp_path):
    submitted = tmp_path / "submitted"
    lf.write(str(submitted / "jdoe" / "rnn" / NB1), lf.notebook("resubmitted"))
    lf.write(str(submitted / "jdoe" / "rnn" / "timestamp.txt"), "2026-03-05 10:00:00 UTC")
    lf.blackboard_download(tmp_path / "in")
    report = write_submitted(run(tmp_path / "in"), str(submitted), "rnn")
    assert "later submission" in report.kept_newer["jdoe"]
    assert lf.marker(submitted / "jdoe" / "rnn" / NB1) == "resubmitted"


def test_only_the_chosen_students_are_written(tmp_path):
    mixed_folder(tmp_path / "in")
    report = write_submitted(run(tmp_path / "in"), str(tmp_path / "sub"), "rnn", ["erin"])
    assert list(report.written) == ["erin"]
    assert sorted(os.listdir(tmp_path / "sub")) == ["erin"]


def test_command_line_shows_what_a_folder_holds(tmp_path, capsys):
    from autograder.collect import main

    mixed_folder(tmp_path / "in")
    roster = tmp_path / "roster.csv"
    roster.write_text("id\ncarol\nerin\n")
    assert main([str(tmp_path / "in"), "--roster", str(roster)]) == 0
    out = capsys.readouterr().out
    assert "to grade (2 student(s))" in out
    assert f"jdoe/rnn/{NB3}: student folder jdoe is not on the roster" in out
    assert main([str(tmp_path / "missing")]) == 2


# ------------------------------------------------------------------ the class's record


def test_the_record_keeps_each_students_latest_download(tmp_path):
    from autograder.intake import IntakeResult, Skip, StudentSubmission

    when = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    earlier = IntakeResult("first")
    earlier.students = {
        "alee": StudentSubmission({NB1: "a1"}, when, {NB1: "x/a1"}, ["old note"]),
        "bob": StudentSubmission({NB1: "b1"}),
    }
    earlier.skipped = [
        Skip("x/alee-notes.txt", "not a notebook", "old", "alee"),
        Skip("x/bob-notes.txt", "not a notebook", "kept", "bob"),
        Skip("x/Untitled.ipynb", "no student", "nobody's"),
    ]
    newer = IntakeResult("second")
    newer.students = {"alee": StudentSubmission({NB2: "a2"}), "carl": StudentSubmission()}
    newer.skipped = [
        Skip("y/carl.txt", "not a notebook", "new", "carl"),
        Skip("y/stray.ipynb", "no student", "nobody's"),
    ]
    record = newer.merged_into(earlier)
    assert record.students["alee"].files == {NB2: "a2"} and "bob" in record.students
    assert [s.file for s in record.skipped] == ["x/bob-notes.txt", "y/carl.txt", "y/stray.ipynb"]
    partial = newer.merged_into(earlier, only=["carl"])
    assert partial.students["alee"].files == {NB1: "a1"}
    assert [s.file for s in partial.skipped] == [
        "x/alee-notes.txt",
        "x/bob-notes.txt",
        "y/carl.txt",
        "y/stray.ipynb",
    ]
    again = IntakeResult.from_dict(earlier.as_dict())
    assert again.as_dict() == earlier.as_dict() and again.students["alee"].timestamp == when


# ------------------------------------------------------------------ Blackboard's zone


def bb_time(result):
    return result.students["jdoe"].timestamp


def test_blackboard_time_takes_the_zone_its_receipt_states(tmp_path):
    lf.blackboard_attempt(tmp_path / "in", {NB1: lf.notebook("on time")})
    result = run(tmp_path / "in")  # no course zone: the receipt's CET alone
    assert bb_time(result) == datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # 23:30 CET
    assert result.warnings == []
    assert "read as CET (the receipt's zone)" in result.students["jdoe"].notes[0]
    berlin = run(tmp_path / "in", lms_timezone="Europe/Berlin")
    assert bb_time(berlin) == datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
    assert "Europe/Berlin (CET, as the receipt states)" in berlin.students["jdoe"].notes[0]


def test_blackboard_time_without_a_stated_zone_uses_the_course_zone_else_warns(tmp_path):
    lf.blackboard_attempt(tmp_path / "in", {NB1: lf.notebook("x")}, date=lf.NO_ZONE_DATE)
    berlin = run(tmp_path / "in", lms_timezone="Europe/Berlin")
    assert bb_time(berlin) == datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
    assert "Europe/Berlin (the course's zone" in berlin.students["jdoe"].notes[0]
    utc = run(tmp_path / "in")
    assert bb_time(utc) == datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert "times of jdoe were read as UTC" in utc.warnings[0]
    assert "WARNING: Blackboard's times of jdoe were read as UTC" in utc.report()
    with pytest.raises(ValueError, match="not a time zone"):
        run(tmp_path / "in", lms_timezone="Berlin")


def test_an_ambiguous_receipt_zone_needs_the_course_zone(tmp_path):
    lf.blackboard_attempt(tmp_path / "in", {NB1: "{}"}, date="Monday, 2 March 2026 23:30 IST")
    result = run(tmp_path / "in")
    assert "'IST' names no single zone" in result.students["jdoe"].notes[0]
    assert result.warnings
    india = run(tmp_path / "in", lms_timezone="Asia/Kolkata")
    assert bb_time(india) == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def test_a_recollect_with_corrected_times_replaces_the_wrong_ones(tmp_path):
    submitted = tmp_path / "submitted"
    lf.blackboard_attempt(tmp_path / "in", {NB1: lf.notebook("x")}, date=lf.NO_ZONE_DATE)
    write_submitted(run(tmp_path / "in"), str(submitted), "rnn")  # read as UTC: 23:30
    stamp = submitted / "jdoe" / "rnn" / "timestamp.txt"
    assert parse_utc(stamp.read_text()) == datetime(2026, 3, 2, 23, 30)
    report = write_submitted(
        run(tmp_path / "in", lms_timezone="Europe/Berlin"), str(submitted), "rnn"
    )
    assert report.kept_newer == {}
    assert report.retimed["jdoe"] == (
        "submission time corrected from 2026-03-02 23:30:00 UTC to 2026-03-02 22:30:00 UTC "
        "(the same files, read again)"
    )
    assert parse_utc(stamp.read_text()) == datetime(2026, 3, 2, 22, 30)


def test_the_course_zone_is_read_from_nbgrader_config(tmp_path):
    from autograder.intake.receipts import course_timezone

    (tmp_path / "nbgrader_config.py").write_text(
        'c = get_config()\nc.LmsCollector.lms_timezone = "Europe/Berlin"\n'
    )
    assert course_timezone(str(tmp_path)) == "Europe/Berlin"
    assert course_timezone(str(tmp_path / "none")) is None


# ------------------------------------------------------------------ the true reasons


def test_a_renamed_notebook_and_an_identical_copy_are_called_so(tmp_path):
    from nbgrader_course import ROOT

    with open(os.path.join(ROOT, "release", "rnn", NB2)) as f:
        release_nb2 = f.read()
    path = tmp_path / "in" / lf.CANVAS_ZIP
    lf.zip_files(
        str(path),
        {
            # Canvas (ContentZipper): "<name>_<user id>_<attachment id>_<file>"
            "leeann_12345_900006_homework.ipynb": release_nb2,
            f"leeann_12345_900001_{NB1}": lf.notebook("same"),
            "leeann_12345_900002_01_building_blocks-1.ipynb": lf.notebook("same"),
        },
    )
    result = run(tmp_path / "in")
    why = {s.file.split("/")[-1]: (s.code, s.reason) for s in result.skipped}
    assert why["leeann_12345_900006_homework.ipynb"] == (
        "renamed notebook",
        "renamed: homework.ipynb is 02_rnn_forward.ipynb (its test cells are that "
        "notebook's) under another name; graded only as 02_rnn_forward.ipynb",
    )
    code, reason = why[f"leeann_12345_900001_{NB1}"]
    assert code == "identical copy" and reason.startswith(f"an identical copy of {NB1}")


def test_make_collect_keeps_the_record_that_grade_and_feedback_read(tmp_path, capsys):
    import json
    from pathlib import Path

    from nbgrader_course import scratch_course

    from autograder.collect import main
    from autograder.feedback.__main__ import _received, _record

    course = Path(scratch_course(tmp_path, folders=("release",)))
    lf.canvas_download(tmp_path / "in")
    assert main([str(tmp_path / "in"), "--course", str(course), "--no-roster", "--write"]) == 0
    assert "record: " in capsys.readouterr().out
    record = json.loads((course / "grading" / "intake.json").read_text())
    assert "Canvas marked the submission late" in record["students"]["23456"]["notes"]
    stale_summary = {"intake": {"skipped": []}}  # the last grading run saw none of it
    received = dict(_received(_record(str(course), stale_summary), "12345"))
    homework = f"{lf.CANVAS_ZIP}/leeann_12345_900006_homework.ipynb"
    assert received[homework].startswith("homework.ipynb is not one of the assignment's")
