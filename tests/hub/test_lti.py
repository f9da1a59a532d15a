"""LTI login and AGS grade passback, without a hub (fast; the story is test_hub_e2e.py)."""

import asyncio
import concurrent.futures
import json
import os
import stat
import sys
from pathlib import Path

import pytest
from tornado.web import HTTPError
from traitlets.config.loader import PyFileConfigLoader

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from deploy import hub_secrets, lti, lti_grades  # noqa: E402
from deploy.layout import Deployment  # noqa: E402
from deploy.private_json import read_json  # noqa: E402

M = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER, INSTRUCTOR, TA = f"{M}#Learner", f"{M}#Instructor", f"{M}/Instructor#TeachingAssistant"


def launch(number, *roles, sub="sub-1", deployment="d-1"):
    return {
        "sub": sub,
        lti.DEPLOYMENT_CLAIM: deployment,
        lti.ROLES_CLAIM: list(roles),
        lti.CUSTOM_CLAIM: {"lms_user_id": number},
    }


@pytest.fixture
def authenticator(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,lms_user_id\nalice,1001\nbob,1002\nteach,1003\n")
    return lti.CourseLTI13Authenticator(
        deployment_id="d-1",
        roster_file=str(roster),
        staff={"9001": "teach", "9002": "ta"},
        launches_file=str(tmp_path / "launches.json"),
        staff_group="formgrade-c",
        student_group="nbgrader-c",
    )


def test_the_roster_maps_learners_and_the_staff_list_maps_instructors(authenticator):
    assert authenticator.account_for(launch("1001", LEARNER)) == ("alice", "nbgrader-c")
    assert authenticator.account_for(launch("9001", INSTRUCTOR)) == ("teach", "formgrade-c")
    assert authenticator.account_for(launch("9002", TA, LEARNER)) == ("ta", "formgrade-c")


@pytest.mark.parametrize(
    "token, why",
    [
        (launch("6666", LEARNER), "not on the class roster"),
        (launch("1001", INSTRUCTOR), "staff in the LMS, not on this hub"),  # a student
        (launch("9001", LEARNER), "not on the class roster"),  # staff, as a learner
        (launch("1003", LEARNER), "not on the class roster"),  # a roster id that is staff
        (launch("1001"), "neither a Learner nor an Instructor"),
        (launch("", LEARNER), "no lms_user_id"),
        (launch("1001", LEARNER, deployment="d-2"), "another deployment"),
    ],
)
def test_anyone_else_is_refused(authenticator, token, why):
    with pytest.raises(HTTPError) as refused:
        authenticator.account_for(token)
    assert refused.value.status_code == 403 and why in refused.value.log_message


def run(coroutine):
    """The coroutine's result, run in a thread of its own: in a test process that drives a
    browser, Playwright's sync API already runs an event loop in this thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_launch_is_recorded_privately(authenticator):
    token = launch("1002", LEARNER, sub="bob-sub")
    token[lti.AGS_CLAIM] = {"lineitems": "https://lms/li", "scope": [lti_grades.SCORE_SCOPE]}
    model = run(authenticator.authenticate(None, token))
    assert model == {"name": "bob", "groups": ["nbgrader-c"]}
    path = authenticator.launches_file
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    record = json.loads(Path(path).read_text())["bob"]
    assert record["sub"] == "bob-sub" and record["ags"]["lineitems"] == "https://lms/li"


def _launches(*students):
    ags = {"lineitems": "https://lms/li", "scope": [lti_grades.SCORE_SCOPE]}
    return {s: {"sub": f"{s}-sub", "ags": ags} for s in students}


def test_grade_passback_plan_sends_new_and_changed_scores_only():
    dep = Deployment(students=["a", "b", "c", "d", "e"])
    scores = {"a": (9.0, 10.0), "b": (5.0, 10.0), "c": (7.0, 10.0), "e": (1.0, 10.0)}
    launches = _launches("a", "b", "d")
    launches["e"] = {"sub": "e-sub", "ags": {}}
    key = lti_grades.ledger_key("https://lms/li", dep.assignment)
    sent = {"userId": "a-sub", "scoreMaximum": 10.0, "sent_at": "2026-12-01T10:00:00+00:00"}
    ledger = {key: {"scores": {"a": {**sent, "scoreGiven": 9.0}, "b": {**sent, "scoreGiven": 4}}}}
    ledger[key]["scores"]["b"]["userId"] = "b-sub"
    plan = {d.student: d for d in lti_grades.plan(dep, scores, launches, ledger)}
    assert plan["a"].action == "unchanged" and "2026-12-01" in plan["a"].reason
    assert plan["b"].action == "send" and plan["b"].reason.startswith("changed since")
    assert plan["c"].action == "skip" and "never launched" in plan["c"].reason
    assert plan["d"].action == "skip" and "no submission" in plan["d"].reason
    assert plan["e"].action == "skip" and "line items" in plan["e"].reason


class FakePlatform:
    def __init__(self):
        self.posted, self.authorized = [], 0

    def authorize(self):
        self.authorized += 1

    def line_item(self, lineitems, maximum):
        return lineitems + "/1"

    def post_score(self, lineitem, d):
        self.posted.append((lineitem, d.user_id, d.score))


def test_what_was_sent_is_not_sent_again(tmp_path):
    dep = Deployment(root=str(tmp_path), students=["a", "b"])
    os.makedirs(dep.hub_dir)
    scores, launches = {"a": (9.0, 10.0), "b": (3.0, 10.0)}, _launches("a", "b")
    platform = FakePlatform()
    for _ in range(2):
        ledger = read_json(dep.lti_ledger_file)
        lti_grades.send(dep, lti_grades.plan(dep, scores, launches, ledger), ledger, platform)
    assert platform.posted == [("https://lms/li/1", "a-sub", 9.0), ("https://lms/li/1", "b-sub", 3)]
    assert platform.authorized == 1  # the second run asked for no token
    assert stat.S_IMODE(os.stat(dep.lti_ledger_file).st_mode) == 0o600


def test_hub_config_for_a_real_term_lti_over_https(tmp_path, monkeypatch):
    settings = {k: f"https://lms/{k}" for k in ("issuer", "authorize_url", "jwks_url")}
    dep = Deployment(
        root=str(tmp_path),
        students=["s1"],
        instructors=["t"],
        ssl_cert="/etc/ssl/hub.pem",
        ssl_key="/etc/ssl/hub.key",
        lti={**settings, "client_id": "tool", "deployment_id": "d-1", "staff": {"42": "t"}},
    )
    dep.save()
    monkeypatch.setenv("RNN_COURSE_ROOT", dep.root)
    c = PyFileConfigLoader("jupyterhub_config.py", path=str(REPO_ROOT / "deploy")).load_config()
    assert c.JupyterHub.authenticator_class == "deploy.lti.CourseLTI13Authenticator"
    a = c.CourseLTI13Authenticator
    assert a.issuer == "https://lms/issuer" and a.client_id == {"tool"}
    assert a.staff == {"42": "t"} and a.roster_file == dep.roster_file
    assert a.uri_scheme == "https" and a.deployment_id == "d-1"
    assert "load_groups" not in c.JupyterHub  # the authenticator manages the groups
    assert c.JupyterHub.bind_url == f"https://127.0.0.1:{dep.hub_port}"
    assert c.JupyterHub.ssl_cert == "/etc/ssl/hub.pem"
    assert c.JupyterHub.cookie_secret_file == dep.cookie_secret_file
    assert c.ConfigurableHTTPProxy.auth_token == Path(dep.proxy_token_file).read_text().strip()
    assert stat.S_IMODE(os.stat(dep.proxy_token_file).st_mode) == 0o600


def test_secrets_are_made_once_and_kept(tmp_path):
    dep = Deployment(root=str(tmp_path))
    first = (hub_secrets.cookie_secret(dep), hub_secrets.proxy_token(dep))
    os.chmod(dep.cookie_secret_file, 0o644)  # opened up by hand: closed again
    assert (hub_secrets.cookie_secret(dep), hub_secrets.proxy_token(dep)) == first
    assert len(bytes.fromhex(first[0])) == 32
    assert stat.S_IMODE(os.stat(dep.cookie_secret_file).st_mode) == 0o600
    _, jwk = hub_secrets.lti_tool_key(dep)
    assert hub_secrets.lti_tool_key(dep)[1] == jwk  # the same key, the same kid
    assert stat.S_IMODE(os.stat(dep.lti_key_file).st_mode) == 0o600
    assert "d" not in json.loads(Path(dep.lti_jwks_file).read_text())["keys"][0]  # public


def test_setup_refuses_an_lti_deployment_without_the_registration_or_the_roster(tmp_path):
    from deploy import setup

    dep = Deployment(root=str(tmp_path), lti={"issuer": "https://lms"})
    with pytest.raises(SystemExit, match="--lti-client-id.*--lti-token-url"):
        setup.check_login(dep)
    dep.lti = {k: "x" for k in setup.LTI_SETTINGS}
    with pytest.raises(SystemExit, match="--roster"):
        setup.check_login(dep)
    Path(dep.hub_dir).mkdir()
    Path(dep.roster_file).write_text("id,lms_user_id\na,1\n")
    setup.check_login(dep)  # all there
    dep.ssl_cert = "/etc/ssl/hub.pem"
    with pytest.raises(SystemExit, match="go together"):
        setup.check_login(dep)
    setup.check_login(Deployment(root=str(tmp_path), auth="trial"))  # the trial needs nothing
