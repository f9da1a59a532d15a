"""The roster: a CSV of students read strictly, imported with nbgrader's own student
import without its traps (BOM, blank cells that erase)."""

import os
import shutil

import pytest
from nbgrader_course import ROOT

from autograder.roster import Roster, RosterError, Student
from autograder.roster.__main__ import main
from autograder.roster.gradebook import class_list, course_db_url, merge


def write(tmp_path, text, encoding="utf-8", name="roster.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_excel_csv_with_bom_semicolons_and_spelled_out_headers(tmp_path):
    path = write(
        tmp_path,
        "\ufeffID;First Name;Last Name;E-mail;LMS user id;Section\r\n"
        "alee;Ann;Lee;ann@example.org;12345;A\r\n"
        ";;;;;\r\n"
        "bkim;Bo;;;;B\r\n",
    )
    roster = Roster.read_csv(path)
    assert roster.students == {
        "alee": Student("alee", "Ann", "Lee", "", "12345"),
        "bkim": Student("bkim", "Bo"),
    }
    assert roster.warnings == ["ignored column(s): e_mail, section"]
    assert roster.by_lms_user_id("12345").id == "alee"
    assert roster.names() == {"alee": "Ann Lee", "bkim": "Bo"}


@pytest.mark.parametrize(
    "text,message",
    [
        ("student,name\nx,y\n", "no 'id' column (found: student, name)"),
        ("id,email\n,a@b\n", "line 2: the id is blank"),
        ("id\nann lee\n", "line 2: 'ann lee' is not a usable id"),
        ("id\n../x\n", "is not a usable id"),
        ("id\nalee\nbkim\nalee\n", "line 4: id 'alee' is already on line 2"),
        ("id,lms_user_id\na,1\nb,1\n", "line 3: lms_user_id '1' is already on line 2"),
        ("\n", "the first line (the column names) is empty"),
    ],
)
def test_unusable_rosters_are_refused_with_every_reason(tmp_path, text, message):
    with pytest.raises(RosterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Roster.read_csv(write(tmp_path, text))


def test_a_roster_that_is_not_utf8_says_how_to_save_it(tmp_path):
    with pytest.raises(RosterError, match="CSV UTF-8"):
        Roster.read_csv(write(tmp_path, "id,last_name\nmz,Müller\n", encoding="latin-1"))


def test_blank_cells_keep_what_the_gradebook_has():
    existing = Roster(
        [Student("alee", "Ann", "Lee", "ann@old.org", "12345"), Student("gone", "G", "One")]
    )
    roster = Roster([Student("alee", last_name="Lee-Kim"), Student("new", "N", "Ew")])
    rows, report = merge(roster, existing)
    assert rows[0] == {
        "id": "alee",
        "first_name": "Ann",
        "last_name": "Lee-Kim",
        "email": "ann@old.org",
        "lms_user_id": "12345",
    }
    assert report.added == ["new"] and report.updated == {"alee": ["last_name"]}
    assert report.not_on_roster == ["gone"]


def test_students_autograde_added_are_not_a_class_list(tmp_path, monkeypatch):
    import autograder.roster.gradebook as gradebook

    monkeypatch.setattr(gradebook, "has_gradebook", lambda url: True)
    unnamed = Roster([Student("alice"), Student("bob")])
    monkeypatch.setattr(Roster, "from_gradebook", classmethod(lambda cls, url: unnamed))
    assert gradebook.class_list("sqlite:///x") is None
    named = Roster([Student("alice", "Alice"), Student("bob")])
    monkeypatch.setattr(Roster, "from_gradebook", classmethod(lambda cls, url: named))
    assert gradebook.class_list("sqlite:///x") is named


def test_an_lms_number_of_another_student_is_refused():
    existing = Roster([Student("old", lms_user_id="7")])
    with pytest.raises(RosterError, match="lms_user_id 7 of new already belongs to old"):
        merge(Roster([Student("new", lms_user_id="7")]), existing)


@pytest.mark.slow
def test_import_into_a_course_with_nbgraders_own_import(tmp_path, capsys):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), course)
    first = write(
        tmp_path,
        "\ufeffid,first_name,last_name,email,lms_user_id\n"
        "alee,Ann,Lee,ann@example.org,12345\n"
        "bkim,Bo,Kim,bo@example.org,23456\n",
    )
    assert main(["import", first, "--course", str(course)]) == 0
    assert "added 2, updated 0, unchanged 0" in capsys.readouterr().out
    # a later list: a new email for Ann (her LMS number left blank), only Bo's id, and Cy
    second = write(
        tmp_path,
        "id,first_name,last_name,email,lms_user_id\n"
        "alee,Ann,Lee,ann@new.org,\n"
        "bkim,,,,\n"
        "cyu,Cy,Yu,,\n",
        name="second.csv",
    )
    assert main(["import", second, "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "added 1, updated 1, unchanged 1" in out and "updated alee: email" in out
    students = Roster.from_gradebook(course_db_url(str(course))).students
    assert students == {
        "alee": Student("alee", "Ann", "Lee", "ann@new.org", "12345"),
        "bkim": Student("bkim", "Bo", "Kim", "bo@example.org", "23456"),
        "cyu": Student("cyu", "Cy", "Yu"),
    }
    assert sorted(class_list(course_db_url(str(course))).students) == ["alee", "bkim", "cyu"]
    assert main(["list", "--course", str(course)]) == 0
    assert "alee\tAnn Lee\tann@new.org\t12345" in capsys.readouterr().out
    bad = write(tmp_path, "name\nx\n", name="bad.csv")
    assert main(["import", bad, "--course", str(course)]) == 2
    assert "no 'id' column" in capsys.readouterr().err


# ------------------------------------------------------------------ the LMSs' own exports


def test_canvas_gradebook_export_is_a_roster_as_it_comes(tmp_path):
    import lms_fixtures as lf

    roster = Roster.read_csv(write(tmp_path, lf.CANVAS_GRADEBOOK_EXPORT))
    assert roster.students == {
        "alee": Student("alee", "Ann", "Lee", "", "12345"),
        "pobrien@uni.example": Student(
            "pobrien@uni.example", "Pat", "OBrien", "pobrien@uni.example", "23456"
        ),
    }
    assert roster.warnings == ["left out Canvas's Test Student (the student view's account)"]


def test_moodle_participants_download_is_a_roster_as_it_comes(tmp_path):
    import lms_fixtures as lf

    path = write(tmp_path, lf.MOODLE_PARTICIPANTS, name=lf.MOODLE_PARTICIPANTS_CSV)
    assert Roster.read_csv(path).students == {
        "skim@uni.example": Student("skim@uni.example", "Sam", "Kim", "SKim@uni.example"),
        "jdoe@uni.example": Student("jdoe@uni.example", "Jo", "Doe", "jdoe@uni.example"),
    }


@pytest.mark.slow
def test_a_canvas_export_imports_unchanged_and_a_student_is_removed_on_record(tmp_path, capsys):
    import json

    import lms_fixtures as lf

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), course)
    export = write(tmp_path, lf.CANVAS_GRADEBOOK_EXPORT, name="2026-03-05T1200_Grades-RNN101.csv")
    assert main(["import", export, "--course", str(course)]) == 0
    assert "added 2, updated 0" in capsys.readouterr().out
    names = class_list(course_db_url(str(course))).names()
    assert names == {"alee": "Ann Lee", "pobrien@uni.example": "Pat OBrien"}
    (course / "submitted" / "alee" / "rnn").mkdir(parents=True)
    argv = ["remove", "alee", "--reason", "withdrew", "--course", str(course)]
    assert main(argv) == 0
    assert "moved submitted/alee to" in capsys.readouterr().out
    assert sorted(class_list(course_db_url(str(course))).students) == ["pobrien@uni.example"]
    assert not (course / "submitted" / "alee").exists()
    log = [
        json.loads(line) for line in (course / "grading" / "roster.log").read_text().splitlines()
    ]
    assert [e["action"] for e in log] == ["imported", "removed"]
    assert log[1]["student"] == "alee" and log[1]["reason"] == "withdrew"
    assert (tmp_path / "course" / log[1]["moved_to"] / "submitted" / "alee").exists()


@pytest.mark.parametrize(
    "path",
    [
        "downloads/rnn-from-scratch-rnn submissions.zip",  # Canvas's Download Submissions
        "students.csv",  # make roster's default
        "2026-03-05T1200_Grades-RNN101.csv",  # Canvas's gradebook export
        "courseid_42_participants.csv",  # Moodle's participants download
        "rosters/term1.csv",
    ],
)
def test_downloads_and_class_lists_are_git_ignored(path):
    import subprocess

    result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
    assert result.returncode == 0, f"{path} (names, emails, submissions) would be committed"


def test_the_blackboard_zone_reaches_make_collect_and_make_grade():
    import subprocess

    out = subprocess.run(
        ["make", "-n", "collect", "grade", "LMS_TIMEZONE=Europe/Berlin"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    lines = [
        ln for ln in out.splitlines() if "autograder.collect" in ln or "autograder.grade" in ln
    ]
    assert len(lines) == 2 and all("--lms-timezone=Europe/Berlin" in ln for ln in lines)
