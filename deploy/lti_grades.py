"""Grades back to the LMS over LTI Assignment and Grade Services (AGS 2.0). Run as root.

    python -m deploy.lti_grades [--root DIR] [--dry-run] [--ca-file PEM]     (make lti-grades)

After grading, each student's total for the assignment (nbgrader's gradebook, as the
pipeline wrote it) is posted as an AGS score to the assignment's line item in the course
the student launched from. What it needs, all kept by the hub (deploy/lti.py) or the
setup (deploy/hub_secrets.py), root only:

- the student's LTI user id (``sub``) and the AGS endpoint of their course, from their
  latest launch (<root>/hub/lti-launches.json): a student who never launched the tool
  from the LMS cannot be named to it, and is skipped, with that reason;
- an OAuth 2 access token from the platform's token endpoint, by the client-credentials
  grant with a JWT client assertion (RFC 7523) signed with the tool's key
  (<root>/hub/lti-tool-key.pem; the LMS knows its public half, lti-tool-jwks.json);
- the line item, found by ``resourceId`` = the assignment's name, or created.

Idempotent: a ledger (<root>/hub/lti-grades-ledger.json) records every score the
platform accepted; a score already sent is not sent again (nor is a token requested when
nothing is to be sent), a changed score (regrading) is. ``--dry-run`` prints what would
be sent and sends and writes nothing. The report lists every student: sent, unchanged
(when it was sent), or skipped and why. The Canvas CSV (make canvas-export) stays for
courses without LTI.
"""

import argparse
import datetime
import json
import os
import secrets
import ssl
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

import jwt

from .layout import DEFAULT_ROOT, Deployment
from .private_json import read_json, write_private_json

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class Decision:
    """What happens to one student's score, and why."""

    student: str
    action: str  # "send", "unchanged" or "skip"
    reason: str = ""
    score: float | None = None
    maximum: float | None = None
    user_id: str = ""  # the student's LTI sub
    lineitems: str = ""  # the AGS line items URL of their course

    def line(self):
        score = "" if self.score is None else f" {self.score:g}/{self.maximum:g}"
        why = f": {self.reason}" if self.reason else ""
        return f"{self.action:9} {self.student}{score}{why}"


# --- what is to be sent ---------------------------------------------------------------------


def gradebook_scores(dep):
    """{student: (score, max score)} of the assignment, for students with a submission."""
    from nbgrader.api import Gradebook, MissingEntry

    scores = {}
    with Gradebook(f"sqlite:///{dep.course_dir}/gradebook.db") as gb:
        for student in dep.students:
            try:
                sub = gb.find_submission(dep.assignment, student)
            except MissingEntry:
                continue
            scores[student] = (float(sub.score), float(sub.max_score))
    return scores


def ledger_key(lineitems, assignment):
    return f"{lineitems}#{assignment}"


def plan(dep, scores, launches, ledger):
    """One Decision per student of the deployment, in roster order."""
    decisions = []
    for student in dep.students:
        d = Decision(student, "skip")
        launch = launches.get(student)
        ags = (launch or {}).get("ags", {})
        if student not in scores:
            d.reason = "no submission in the gradebook"
        elif not launch:
            d.reason = "never launched the tool from the LMS: no LTI user id to post to"
        elif not ags.get("lineitems"):
            d.reason = "the LMS sent no AGS line items endpoint (grades not enabled for the link)"
        elif SCORE_SCOPE not in ags.get("scope", []):
            d.reason = "the LMS did not grant the score scope"
        else:
            d.score, d.maximum = scores[student]
            d.user_id, d.lineitems = launch["sub"], ags["lineitems"]
            sent = ledger.get(ledger_key(d.lineitems, dep.assignment), {}).get("scores", {})
            before = sent.get(student, {})
            same = (before.get("userId"), before.get("scoreGiven"), before.get("scoreMaximum"))
            if same == (d.user_id, d.score, d.maximum):
                d.action, d.reason = "unchanged", f"sent {before['sent_at']}"
            else:
                d.action = "send"
                d.reason = "changed since " + before["sent_at"] if before else "new"
        decisions.append(d)
    return decisions


# --- the platform ---------------------------------------------------------------------------


class Platform:
    """The LMS's AGS service, through one access token."""

    def __init__(self, dep, ca_file=None):
        self.dep = dep
        self.context = ssl.create_default_context(cafile=ca_file)
        self.token = None

    def _request(self, method, url, body=None, content_type=None, accept=None):
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else None

    def authorize(self):
        """An access token for line items and scores (client credentials, JWT assertion)."""
        lti = self.dep.lti
        with open(self.dep.lti_key_file) as f:
            key = f.read()
        with open(self.dep.lti_jwks_file) as f:
            (jwk,) = json.load(f)["keys"]
        now = int(time.time())
        assertion = jwt.encode(
            {
                "iss": lti["client_id"],
                "sub": lti["client_id"],
                "aud": lti["token_url"],
                "iat": now,
                "exp": now + 300,
                "jti": secrets.token_hex(16),
            },
            key,
            algorithm="RS256",
            headers={"kid": jwk["kid"]},
        )
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion,
                "scope": f"{LINEITEM_SCOPE} {SCORE_SCOPE}",
            }
        ).encode()
        answer = self._request("POST", lti["token_url"], form, "application/x-www-form-urlencoded")
        self.token = answer["access_token"]

    def line_item(self, lineitems, maximum):
        """The URL of the assignment's line item in ``lineitems``, created if missing."""
        assignment = self.dep.assignment
        query = urllib.parse.urlencode({"resource_id": assignment})
        sep = "&" if "?" in lineitems else "?"
        for item in self._request("GET", f"{lineitems}{sep}{query}", accept=LINEITEMS_TYPE):
            if item.get("resourceId") == assignment:
                return item["id"]
        item = {"scoreMaximum": maximum, "label": assignment, "resourceId": assignment}
        return self._request("POST", lineitems, item, LINEITEM_TYPE, LINEITEM_TYPE)["id"]

    def post_score(self, lineitem, d):
        url = urllib.parse.urlsplit(lineitem)
        scores = urllib.parse.urlunsplit(url._replace(path=url.path.rstrip("/") + "/scores"))
        body = {
            "userId": d.user_id,
            "scoreGiven": d.score,
            "scoreMaximum": d.maximum,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        }
        self._request("POST", scores, body, SCORE_TYPE)


# --- the run --------------------------------------------------------------------------------


def send(dep, decisions, ledger, platform):
    """Post every "send" decision; the ledger is written after each accepted score, so a
    run that fails half-way resends nothing that arrived."""
    to_send = [d for d in decisions if d.action == "send"]
    if not to_send:
        return
    platform.authorize()
    items = {}
    for d in to_send:
        key = ledger_key(d.lineitems, dep.assignment)
        if d.lineitems not in items:
            items[d.lineitems] = platform.line_item(d.lineitems, d.maximum)
        platform.post_score(items[d.lineitems], d)
        entry = ledger.setdefault(key, {"lineitem": items[d.lineitems], "scores": {}})
        entry["scores"][d.student] = {
            "userId": d.user_id,
            "scoreGiven": d.score,
            "scoreMaximum": d.maximum,
            "sent_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
        write_private_json(dep.lti_ledger_file, ledger)
        d.action = "sent"


def run(dep, dry_run=False, ca_file=None, out=print):
    """Plan, send unless ``dry_run``, report; returns the decisions."""
    ledger = read_json(dep.lti_ledger_file)
    decisions = plan(dep, gradebook_scores(dep), read_json(dep.lti_launches_file), ledger)
    if not dry_run:
        send(dep, decisions, ledger, Platform(dep, ca_file))
    for d in decisions:
        out(d.line())
    counts = {a: sum(d.action == a for d in decisions) for a in ("sent", "unchanged", "skip")}
    if dry_run:
        counts["would send"] = sum(d.action == "send" for d in decisions)
    summary = ", ".join(f"{name}: {n}" for name, n in counts.items())
    out(f"{dep.assignment} -> LMS: {summary}" + (" (dry run: nothing sent)" if dry_run else ""))
    return decisions


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default=os.environ.get("RNN_COURSE_ROOT", DEFAULT_ROOT))
    p.add_argument("--dry-run", action="store_true", help="report what would be sent; send nothing")
    p.add_argument("--ca-file", help="CA certificates for the LMS's TLS (default: the system's)")
    args = p.parse_args(argv)
    dep = Deployment.load(os.path.abspath(args.root))
    if dep.auth != "lti":
        raise SystemExit(f"{dep.root}: the hub logs in with {dep.auth!r}, not LTI: no launches")
    run(dep, dry_run=args.dry_run, ca_file=args.ca_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
