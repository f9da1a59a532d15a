"""python -m autograder.grade: a run whose every student failed is a setup problem (exit 1);
one student's failure is that student's, named but not failing the run."""

from autograder.grade import report_failures


def test_exit_status_and_the_students_named(capsys):
    assert report_failures([], 3) == 0
    assert capsys.readouterr().err == ""
    assert report_failures(["bob"], 3) == 0
    assert "grading failed for 1 of 3 student(s): bob" in capsys.readouterr().err
    assert report_failures(["bob", "ann"], 2) == 1
    assert "ann, bob" in capsys.readouterr().err
