"""LTI 1.3 login from the LMS: who a launch is, and what they may do on the hub.

jupyterhub-ltiauthenticator's LTI13Authenticator does the OpenID Connect launch (login
initiation at /hub/lti13/oauth_login, the platform's auth request, the form_post of a
signed id_token to /hub/lti13/oauth_callback) and checks the token against the
platform's JWKS. This subclass decides, from the verified token:

- **the deployment.** The token's deployment_id must be the one registered.
- **the account.** The LMS's user number (Canvas's ``$User.id``, sent as the custom
  parameter ``lms_user_id`` that ltiauthenticator's own tool configuration asks for) is
  looked up in the class roster (autograder.roster's CSV, column ``lms_user_id``): a
  Learner logs in as their roster id, which is their account and their nbgrader student
  id. Staff are looked up in the deployment's ``lti["staff"]`` ({LMS user id: account}).
  Anyone else is refused (403), whatever the LMS says of them.
- **the role, from the LMS.** Instructor or TeachingAssistant (LIS vocabulary, context
  roles) puts the account in ``formgrade-<course>`` (the formgrader); Learner in
  ``nbgrader-<course>`` (fetch and submit). The hub's groups follow the latest launch
  (``manage_groups``): a TA removed in the LMS loses the formgrader at their next launch.
  A staff account launched with a Learner role only, or a student with a staff role, is
  refused: the roster and the LMS must agree.
- **the launch record** ({account: sub, LMS user id, roles, AGS endpoint, time}) in
  <root>/hub/lti-launches.json (root 0600): grade passback (deploy.lti_grades) posts
  each student's score to the AGS line items of their course under their LTI ``sub``.
"""

import datetime

from ltiauthenticator.lti13.auth import LTI13Authenticator
from tornado.web import HTTPError
from traitlets import Dict, Unicode

from autograder.roster.model import Roster

from .private_json import read_json, write_private_json

ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
# Context roles (LTI 1.3, A.2.2), full URIs; TeachingAssistant is a sub-role of Instructor.
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
STAFF_ROLES = {
    f"{MEMBERSHIP}#Instructor",
    f"{MEMBERSHIP}#TeachingAssistant",
    f"{MEMBERSHIP}/Instructor#TeachingAssistant",
}
LEARNER_ROLES = {f"{MEMBERSHIP}#Learner"}


def role_of(roles):
    """ "staff", "learner" or None, from the LTI roles claim (staff wins over learner)."""
    roles = set(roles or ())
    if roles & STAFF_ROLES:
        return "staff"
    if roles & LEARNER_ROLES:
        return "learner"
    return None


def lms_user_id(id_token):
    """The LMS's number for the user: the custom parameter lms_user_id."""
    return str(id_token.get(CUSTOM_CLAIM, {}).get("lms_user_id", "")).strip()


def record_launch(path, account, id_token):
    """Keep ``account``'s latest launch in ``path`` (JSON, 0600, replaced atomically)."""
    launches = read_json(path)
    launches[account] = {
        "sub": id_token["sub"],
        "lms_user_id": lms_user_id(id_token),
        "roles": id_token.get(ROLES_CLAIM, []),
        "context": id_token.get(CONTEXT_CLAIM, {}).get("id", ""),
        "ags": id_token.get(AGS_CLAIM, {}),
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    write_private_json(path, launches)


class CourseLTI13Authenticator(LTI13Authenticator):
    """LTI13Authenticator that maps LMS users to the roster's accounts and roles to groups."""

    manage_groups = True

    deployment_id = Unicode(help="the LMS's deployment of this tool").tag(config=True)
    roster_file = Unicode(help="the class roster (CSV with id and lms_user_id)").tag(config=True)
    staff = Dict(help="{LMS user id: account} of instructors and TAs").tag(config=True)
    launches_file = Unicode(help="where each account's latest launch is kept").tag(config=True)
    staff_group = Unicode(help="the formgrader's group: formgrade-<course>").tag(config=True)
    student_group = Unicode(help="the class's group: nbgrader-<course>").tag(config=True)

    def account_for(self, id_token):
        """(account, group) for a verified id_token; HTTPError 403 if the course has no place
        for this user."""
        number = lms_user_id(id_token)
        role = role_of(id_token.get(ROLES_CLAIM))
        # ltiauthenticator checks the client, not which of its deployments (another
        # course's or account's installation of the same key) launched it.
        if id_token.get(DEPLOYMENT_CLAIM) != self.deployment_id:
            deployment = id_token.get(DEPLOYMENT_CLAIM)
            raise HTTPError(403, f"a launch from another deployment of the tool: {deployment}")
        if not number:
            raise HTTPError(403, "the launch carries no lms_user_id (custom parameter)")
        if role == "staff":
            account = self.staff.get(number)
            if account:
                return account, self.staff_group
            raise HTTPError(403, f"LMS user {number} is staff in the LMS, not on this hub")
        if role == "learner":
            student = Roster.read_csv(self.roster_file).by_lms_user_id(number)
            if student and student.id not in self.staff.values():
                return student.id, self.student_group
            raise HTTPError(403, f"LMS user {number} is not on the class roster")
        raise HTTPError(403, f"LMS user {number} has neither a Learner nor an Instructor role")

    async def authenticate(self, handler, data=None):
        id_token = data or {}
        account, group = self.account_for(id_token)
        record_launch(self.launches_file, account, id_token)
        self.log.info("LTI launch: LMS user %s -> %s (%s)", lms_user_id(id_token), account, group)
        return {"name": account, "groups": [group]}
