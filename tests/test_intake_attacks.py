"""Intake against students who name their files to be someone else's (issue 20, case 4)
and nest archives or plant times (case 10). No grading runs here."""

import io
import zipfile
from datetime import UTC, datetime

import lms_fixtures as lf
from test_intake import files, run, skipped

from autograder.intake import archives

NB1, NB2 = lf.NB1, lf.NB2
PLANTED = "2099-01-01-00-00-00"


def test_a_blackboard_file_name_cannot_take_another_students_name(tmp_path):
    # jdoe uploads "x_alee_attempt_2099-..._01_building_blocks.ipynb"; Blackboard prefixes
    # it with jdoe's own attempt. The greedy pattern read the last "_attempt_" as Blackboard's.
    lf.zip_files(
        tmp_path / "in" / lf.BLACKBOARD_ZIP,
        {
            f"RNN_alee_attempt_2026-03-01-09-00-00_{NB1}": lf.notebook("alee's own"),
            f"RNN_jdoe_attempt_2026-03-01-10-00-00_x_alee_attempt_{PLANTED}_{NB1}": lf.notebook(
                "jdoe's forgery"
            ),
        },
    )
    result = run(tmp_path / "in", lms_timezone="UTC")
    assert files(result) == {"alee": {NB1: "alee's own"}}
    assert result.students["alee"].timestamp == datetime(2026, 3, 1, 9, tzinfo=UTC)
    forged = f"{lf.BLACKBOARD_ZIP}/RNN_jdoe_attempt_2026-03-01-10-00-00_x_alee_attempt_"
    assert {s.student for s in result.skipped if s.file.startswith(forged)} == {"jdoe"}


def test_lms_names_inside_a_students_own_folder_or_zip_stay_that_students(tmp_path):
    root = tmp_path / "in"
    lf.write(f"{root}/alee/rnn/{NB1}", lf.notebook("alee's own"))
    lf.write(f"{root}/pobrien/{NB2}", lf.notebook("pobrien's own"))
    # jdoe's zip and folder hold files named as Blackboard and Canvas name alee's and pobrien's
    lf.zip_files(
        f"{root}/jdoe.zip",
        {f"RNN_alee_attempt_{PLANTED}_{NB1}": lf.notebook("jdoe's forgery for alee")},
    )
    lf.write(f"{root}/jdoe/obrienpat_LATE_23456_900003_{NB2}", lf.notebook("forgery for pobrien"))
    result = run(root)
    assert files(result) == {"alee": {NB1: "alee's own"}, "pobrien": {NB2: "pobrien's own"}}
    assert result.students["alee"].timestamp is None  # no 2099: nothing late
    codes = skipped(result)
    assert codes[f"jdoe.zip/RNN_alee_attempt_{PLANTED}_{NB1}"] == "another student's name"
    assert codes[f"jdoe/obrienpat_LATE_23456_900003_{NB2}"] == "another student's name"
    reasons = {s.file: s.reason for s in result.skipped}
    assert (
        "inside jdoe.zip, which is jdoe's" in reasons[f"jdoe.zip/RNN_alee_attempt_{PLANTED}_{NB1}"]
    )


def test_times_come_from_the_lms_never_from_inside_a_students_archive(tmp_path):
    root = tmp_path / "in"
    # jdoe's own zip: their notebook named like a Blackboard file of 2099, and a timestamp.txt
    lf.zip_files(
        f"{root}/jdoe.zip",
        {
            f"RNN_jdoe_attempt_{PLANTED}_{NB1}": lf.notebook("jdoe nb1"),
            "rnn/timestamp.txt": "2099-01-01 00:00:00.000000 UTC",
        },
    )
    result = run(root)
    assert files(result)["jdoe"] == {NB1: "jdoe nb1"}
    assert result.students["jdoe"].timestamp is None
    assert skipped(result)["jdoe.zip/rnn/timestamp.txt"] == "submission time"


def _deflated_zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_nested_archives_share_one_size_budget(tmp_path, monkeypatch):
    # Each inner zip unpacks to 100 kB (under the limit); together they are over it.
    monkeypatch.setattr(archives, "MAX_ARCHIVE_BYTES", 250_000)
    inner = {f"part{i}.zip": _deflated_zip({f"filler{i}.bin": b"\0" * 100_000}) for i in range(3)}
    lf.zip_files(tmp_path / "in" / "jdoe.zip", {NB1: lf.notebook("jdoe nb1")})
    with zipfile.ZipFile(tmp_path / "in" / "jdoe.zip", "a", zipfile.ZIP_DEFLATED) as z:
        for name, data in inner.items():
            z.writestr(name, data)
    result = run(tmp_path / "in")
    assert files(result) == {"jdoe": {NB1: "jdoe nb1"}}
    over = [s for s in result.skipped if "unpacks to more than" in s.reason]
    assert [s.file for s in over] == ["jdoe.zip/part2.zip"]
    extracted = sum(p.stat().st_size for p in (tmp_path / "in-unpacked").rglob("*.bin"))
    assert extracted <= 250_000


def test_a_date_inside_a_blackboard_upload_is_not_blackboards(tmp_path):
    lf.zip_files(
        tmp_path / "in" / lf.BLACKBOARD_ZIP,
        {
            "RNN_jdoe_attempt_2026-03-01-10-00-00_work.zip": lf.zip_bytes(
                {f"RNN_jdoe_attempt_{PLANTED}_{NB1}": lf.notebook("jdoe nb1")}
            )
        },
    )
    result = run(tmp_path / "in", lms_timezone="UTC")
    assert files(result) == {"jdoe": {NB1: "jdoe nb1"}}
    assert result.students["jdoe"].timestamp == datetime(2026, 3, 1, 10, tzinfo=UTC)
