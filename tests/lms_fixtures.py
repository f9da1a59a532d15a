"""Bulk downloads as Canvas, Moodle and Blackboard name them, built by the tests.

Each builder writes archives (or folders) into a directory and returns what a correct
intake must make of them. The names follow autograder/intake/lms/ (which cites the
LMS source code): Canvas "<name>[_LATE]_<user id>_<attachment id>_<file>", Moodle
"<Full Name>_<participant>_assignsubmission_file_/<file>", Blackboard
"<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>" plus a receipt.
"""

import io
import json
import os
import tarfile
import zipfile

NB1, NB2, NB3 = "01_building_blocks.ipynb", "02_rnn_forward.ipynb", "03_bptt.ipynb"


def notebook(marker):
    """A tiny notebook whose content says which copy it is."""
    return json.dumps({"cells": [], "metadata": {"marker": marker}, "nbformat": 4})


def marker(path):
    with open(path) as f:
        return json.load(f)["metadata"]["marker"]


def zip_files(path, members, dates=None):
    """A zip at ``path`` with {member name: text}; ``dates``: {member: (y, m, d, H, M, S)}."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, (dates or {}).get(name, (2026, 3, 1, 12, 0, 0)))
            z.writestr(info, text)


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return buf.getvalue()


def tar_files(path, members, links=()):
    """A .tar.gz with {member: text} and symbolic links [(name, target)]."""
    with tarfile.open(path, "w:gz") as t:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        for name, target in links:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            t.addfile(info)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# Canvas: ContentZipper names the zip "<course slug>-<assignment slug> submissions.zip".
CANVAS_ZIP = "rnn-from-scratch-rnn submissions.zip"


def canvas_download(directory):
    members = {
        f"leeann_12345_900001_{NB1}": notebook("canvas lee nb1"),
        # re-uploaded: Canvas renamed it in the submissions folder
        "leeann_12345_900002_02_rnn_forward-1.ipynb": notebook("canvas lee nb2"),
        f"obrienpat_LATE_23456_900003_{NB1}": notebook("canvas obrien nb1"),
        "leeann_12345_900005_notes.txt": "my notes",
        "leeann_12345_900006_homework.ipynb": notebook("misnamed"),
        f"anon_AbC12_900007_{NB1}": notebook("anonymous"),
        "kimsam_45678_900008_submission.zip": zip_bytes(
            {
                f"rnn/{NB3}": notebook("canvas kim nb3"),
                f"rnn/.ipynb_checkpoints/{NB3[:-6]}-checkpoint.ipynb": notebook("checkpoint"),
                f"__MACOSX/rnn/._{NB3}": "resource fork",
            }
        ),
        f"nobodyx_99999_900009_{NB1}": notebook("not on the roster"),
    }
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, CANVAS_ZIP)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


# Moodle: "<course shortname>-<assignment name>-<cmid>.zip", one folder per participant.
MOODLE_ZIP = "RNN-RNN assignment-42.zip"


def moodle_download(directory):
    path = os.path.join(directory, MOODLE_ZIP)
    zip_files(
        path,
        {
            f"Ann Lee_1234567_assignsubmission_file_/{NB1}": notebook("moodle lee nb1 old"),
            "Ann Lee_1234567_assignsubmission_file_/01_building_blocks (1).ipynb": notebook(
                "moodle lee nb1 new"
            ),
            f"Pat OBrien_7654321_assignsubmission_file_/work/{NB2}": notebook("moodle obrien"),
            # the "download submissions in folders" option off: flat names
            f"Sam Kim_5555555_assignsubmission_file_{NB3}": notebook("moodle kim flat"),
            "Ann Lee_1234567_assignsubmission_onlinetext_onlinetext.html": "<p>hi</p>",
        },
    )
    return path


BLACKBOARD_ZIP = "gradebook_RNN101_2026_RNN_2026-03-03-18-00-00.zip"
RECEIPT = """Name: Jo Doe (jdoe)
Assignment: RNN
Date Submitted: Monday, March 2, 2026 9:30:00 AM EST
Current Grade: Needs Grading
"""


def blackboard_download(directory):
    path = os.path.join(directory, BLACKBOARD_ZIP)
    zip_files(
        path,
        {
            f"RNN_jdoe_attempt_2026-03-01-10-00-00_{NB1}": notebook("bb first attempt"),
            "RNN_jdoe_attempt_2026-03-01-10-00-00.txt": RECEIPT,
            # the second attempt, downloaded twice by the student's browser
            "RNN_jdoe_attempt_2026-03-02-09-30-00_01_building_blocks(1).ipynb": notebook(
                "bb second attempt"
            ),
            "RNN_jdoe_attempt_2026-03-02-09-30-00.txt": RECEIPT,
            f"RNN_mroe_attempt_2026-03-01-11-00-00_{NB2}": notebook("bb mroe"),
        },
    )
    return path


# Blackboard's receipt as Blackboard Learn writes it beside each attempt's files (the fields
# CodeGra.de reads, psef/blackboard.py parse_info_file: Name, Assignment, Date Submitted,
# Current Grade, Submission Field, Comments, Files with Original filename / Filename). The
# "Date Submitted" line is the server's time in its locale, ending with the zone:
BERLIN_DATE = "Monday, 2 March 2026 23:30:00 o'clock CET"  # en_GB (Java's FULL style)
NO_ZONE_DATE = "Monday, March 2, 2026 11:30:00 PM"  # a receipt without a zone


def blackboard_receipt(username, name, date, files):
    listed = "".join(
        f"\tOriginal filename: {orig}\n\tFilename: {stored}\n" for orig, stored in files
    )
    return (
        f"Name: {name} ({username})\nAssignment: RNN\nDate Submitted: {date}\n"
        "Current Grade: Needs Grading\n\nSubmission Field:\nThere is no student submission "
        "text data for this assignment.\n\nComments:\nThere are no student comments for this "
        f"assignment.\n\nFiles:\n{listed}\n"
    )


def blackboard_attempt(
    directory,
    notebooks,
    date=BERLIN_DATE,
    stamp="2026-03-02-23-30-00",
    user=("jdoe", "Jo Doe"),
    zip_name=BLACKBOARD_ZIP,
):
    """Blackboard's "Assignment File Download" of one attempt of ``user`` (username,
    name): the files "RNN_<username>_attempt_<stamp>_<file>" and the receipt
    "RNN_<username>_attempt_<stamp>.txt", {notebook file name: text}, in the zip
    "gradebook_<course>_<column>_<time>.zip"."""
    prefix = f"RNN_{user[0]}_attempt_{stamp}"
    members = {f"{prefix}_{name}": text for name, text in notebooks.items()}
    receipt = [(name, f"{prefix}_{name}") for name in notebooks]
    members[f"{prefix}.txt"] = blackboard_receipt(*user, date, receipt)
    path = os.path.join(directory, zip_name)
    zip_files(path, members)
    return path


# Canvas, Grades > Export: the columns, the "    Points Possible" row (with its leading
# spaces), the "Manual Posting" row of an assignment posted by hand, and the student view's
# Test Student last, as instructure/canvas-lms lib/gradebook_exporter.rb (csv_data) writes
# them; assignment columns are "<title> (<assignment id>)" (Assignment#title_with_id).
CANVAS_GRADEBOOK_EXPORT = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,RNN (4321),Current Points,"
    "Final Points,Current Score,Unposted Current Score,Final Score,Unposted Final Score\n"
    ",,,,,Manual Posting,,,,,,\n"
    "    Points Possible,,,,,30.00,(read only),(read only),(read only),(read only),"
    "(read only),(read only)\n"
    '"Lee, Ann",12345,S001,alee,RNN101,,0.00,0.00,,,0.00,0.00\n'
    '"OBrien, Pat",23456,S002,pobrien@uni.example,RNN101,,0.00,0.00,,,0.00,0.00\n'
    '"Student, Test",99001,,,RNN101,,0.00,0.00,,,0.00,0.00\n'
)

# Moodle, Participants > select all > Download table data as CSV: moodle/moodle
# user/action_redir.php (download_participants) names it "courseid_<id>_participants.csv"
# with the columns get_string('firstname'), get_string('lastname') and the site's identity
# fields (showuseridentity, by default the email address).
MOODLE_PARTICIPANTS_CSV = "courseid_42_participants.csv"
MOODLE_PARTICIPANTS = (
    "First name,Last name,Email address\nSam,Kim,SKim@uni.example\nJo,Doe,jdoe@uni.example\n"
)
