"""A small LMS for the hub tests: an LTI 1.3 platform with AGS, over HTTPS on loopback.

What a real LMS (Canvas, Moodle) does for the tool, and no more:

- ``/launch?user=U&target=T``: the course page's link. It posts the OIDC login initiation
  (iss, login_hint, target_link_uri, client_id, lti_deployment_id, lti_message_hint) to
  the hub's /hub/lti13/oauth_login, as an LMS does from the browser;
- ``/auth``: the OIDC authorization endpoint. It checks the hub's authentication request
  (client, redirect URI, response type and mode, the hints it gave) and answers with a
  form_post of an id_token signed with the platform's own RSA key: the LTI claims of a
  resource link launch, the user's roles, their LMS number as the custom parameter
  ``lms_user_id`` ($User.id), and the AGS endpoint of the course;
- ``/jwks``: the platform's public key set, which the hub verifies id_tokens with;
- ``/token``: the OAuth 2 client-credentials grant; the client assertion must be a JWT
  signed with the tool's key (its public JWKS file, as registered), for this token URL;
- ``/courses/1/lineitems`` (GET by resource_id, POST) and ``.../lineitems/N/scores``
  (POST), with the access token: every score received is kept in ``scores``.

Every request is logged in ``requests`` (method, path), so a test can assert that a run
sent nothing at all.
"""

import html
import json
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER = f"{MEMBERSHIP}#Learner"
INSTRUCTOR = f"{MEMBERSHIP}#Instructor"
TEACHING_ASSISTANT = f"{MEMBERSHIP}#TeachingAssistant"
LTI = "https://purl.imsglobal.org/spec/lti/claim"
AGS = "https://purl.imsglobal.org/spec/lti-ags"
RESOURCE_LINK = "resource-link-rnn"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def auto_post(action, fields):
    """A page that posts ``fields`` to ``action`` as soon as it loads (what LMSs send)."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        f'<!doctype html><form method="post" action="{html.escape(action)}">{inputs}</form>'
        "<script>document.forms[0].submit()</script>"
    )


class Platform:
    """The LMS: ``add_user``, then ``launch_url(user, target)`` in a browser."""

    def __init__(self, cert_file, key_file):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "platform-key-1"
        self.client_id = "rnn-course-hub"
        self.deployment_id = "deployment-1"
        self.users = {}  # login hint (the account name here) -> sub, lms_user_id, roles
        self.hub_url = None  # the tool, once deployed
        self.tool_jwks_file = None  # the tool's public key, as registered
        self.line_items = {}  # id (URL) -> line item
        self.scores = []  # every score received: (line item id, body)
        self.tokens = set()
        self.requests = []
        self.refused = []  # why a request was refused (a test reads it on failure)
        self._targets = {}
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                platform.handle(self, "GET")

            def do_POST(self):
                platform.handle(self, "POST")

            def log_message(self, *args):
                pass

        class TLSServer(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):  # the handshake in the request's thread, not accept()'s
                sock, address = self.socket.accept()
                return tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), (
                    address
                )

            def handle_error(self, request, client_address):
                # Chromium closes a first connection to a certificate it does not know
                # with an alert (ignore_https_errors then lets it through): not an error.
                if not isinstance(sys.exc_info()[1], ssl.SSLError):
                    super().handle_error(request, client_address)

        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert_file, key_file)
        self.server = TLSServer(("127.0.0.1", 0), Handler)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.lineitems_url = f"{self.url}/courses/1/lineitems"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- registration ---------------------------------------------------------------------

    def settings(self):
        """What the tool is told at registration (deploy.setup's --lti-* options)."""
        return {
            "issuer": self.url,
            "client_id": self.client_id,
            "deployment_id": self.deployment_id,
            "authorize_url": f"{self.url}/auth",
            "jwks_url": f"{self.url}/jwks",
            "token_url": f"{self.url}/token",
        }

    def add_user(self, login, lms_user_id, roles):
        self.users[login] = {"sub": str(uuid.uuid4()), "lms_user_id": lms_user_id, "roles": roles}

    def launch_url(self, login, target):
        query = urllib.parse.urlencode({"user": login, "target": target})
        return f"{self.url}/launch?{query}"

    def scores_by_user(self):
        """{login: [scoreGiven, ...]} of every score received."""
        by_sub = {u["sub"]: login for login, u in self.users.items()}
        received = {}
        for _, body in self.scores:
            received.setdefault(by_sub.get(body["userId"], body["userId"]), []).append(body)
        return received

    # --- the endpoints --------------------------------------------------------------------

    def handle(self, request, method):
        url = urllib.parse.urlsplit(request.path)
        self.requests.append((method, url.path))
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        routes = {
            ("GET", "/launch"): self.launch,
            ("GET", "/auth"): self.authorize,
            ("GET", "/jwks"): self.jwks,
            ("POST", "/token"): self.token,
            ("GET", "/courses/1/lineitems"): self.list_line_items,
            ("POST", "/courses/1/lineitems"): self.create_line_item,
        }
        route = routes.get((method, url.path))
        if route is None and method == "POST" and url.path.endswith("/scores"):
            route = self.score
        try:
            if route is None:
                raise Refused(404, f"no {method} {url.path}")
            status, content_type, payload = route(request, query, body, url.path)
        except Refused as e:
            self.refused.append(f"{method} {url.path}: {e.reason}")
            status, content_type, payload = e.status, "text/plain", e.reason
        data = payload if isinstance(payload, bytes) else payload.encode()
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def launch(self, request, query, body, path):
        user = query["user"]
        self._targets[user] = query["target"]
        fields = {
            "iss": self.url,
            "login_hint": user,
            "target_link_uri": query["target"],
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
            "lti_message_hint": RESOURCE_LINK,
        }
        return 200, "text/html", auto_post(f"{self.hub_url}/hub/lti13/oauth_login", fields)

    def authorize(self, request, query, body, path):
        expected = {
            "client_id": self.client_id,
            "response_type": "id_token",
            "response_mode": "form_post",
            "scope": "openid",
            "prompt": "none",
            "lti_message_hint": RESOURCE_LINK,
        }
        wrong = {k: query.get(k) for k, v in expected.items() if query.get(k) != v}
        if wrong:
            raise Refused(400, f"authentication request: {wrong}")
        if query.get("redirect_uri") != f"{self.hub_url}/hub/lti13/oauth_callback":
            raise Refused(400, f"redirect_uri {query.get('redirect_uri')} is not registered")
        user = self.users.get(query.get("login_hint"))
        if user is None or not query.get("nonce") or not query.get("state"):
            raise Refused(400, "unknown login_hint, or no nonce or state")
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": self.client_id,
            "sub": user["sub"],
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"],
            f"{LTI}/version": "1.3.0",
            f"{LTI}/deployment_id": self.deployment_id,
            f"{LTI}/message_type": "LtiResourceLinkRequest",
            f"{LTI}/target_link_uri": self._targets[query["login_hint"]],
            f"{LTI}/resource_link": {"id": RESOURCE_LINK, "title": "RNN from scratch"},
            f"{LTI}/roles": user["roles"],
            f"{LTI}/context": {"id": "course-1", "label": "RNN101", "title": "RNNs"},
            f"{LTI}/custom": {"lms_user_id": user["lms_user_id"]},
            f"{AGS}/claim/endpoint": {
                "scope": [f"{AGS}/scope/lineitem", f"{AGS}/scope/score"],
                "lineitems": self.lineitems_url,
            },
        }
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        fields = {"id_token": token, "state": query["state"]}
        return 200, "text/html", auto_post(query["redirect_uri"], fields)

    def jwks(self, request, query, body, path):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return 200, "application/json", json.dumps({"keys": [jwk]})

    def token(self, request, query, body, path):
        form = dict(urllib.parse.parse_qsl(body.decode()))
        if form.get("grant_type") != "client_credentials":
            raise Refused(400, f"grant_type {form.get('grant_type')}")
        with open(self.tool_jwks_file) as f:
            (tool_key,) = json.load(f)["keys"]
        try:
            claims = jwt.decode(
                form.get("client_assertion", ""),
                jwt.PyJWK(tool_key).key,
                algorithms=["RS256"],
                audience=f"{self.url}/token",
                issuer=self.client_id,
            )
        except jwt.PyJWTError as e:
            raise Refused(401, f"client assertion: {e}") from None
        if claims.get("sub") != self.client_id:
            raise Refused(401, "client assertion: sub is not the client id")
        token = secrets.token_hex(16)
        self.tokens.add(token)
        answer = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        answer["scope"] = form.get("scope", "")
        return 200, "application/json", json.dumps(answer)

    def _authorized(self, request):
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            raise Refused(401, "no valid access token")

    def list_line_items(self, request, query, body, path):
        self._authorized(request)
        items = [
            item
            for item in self.line_items.values()
            if "resource_id" not in query or item.get("resourceId") == query["resource_id"]
        ]
        return 200, "application/vnd.ims.lis.v2.lineitemcontainer+json", json.dumps(items)

    def create_line_item(self, request, query, body, path):
        self._authorized(request)
        item = json.loads(body)
        item["id"] = f"{self.lineitems_url}/{len(self.line_items) + 1}"
        self.line_items[item["id"]] = item
        return 201, "application/vnd.ims.lis.v2.lineitem+json", json.dumps(item)

    def score(self, request, query, body, path):
        self._authorized(request)
        if request.headers.get("Content-Type") != SCORE_TYPE:
            raise Refused(415, f"Content-Type {request.headers.get('Content-Type')}")
        item = f"{self.url}{path[: -len('/scores')]}"
        if item not in self.line_items:
            raise Refused(404, f"no line item {item}")
        score = json.loads(body)
        if score.get("userId") not in {u["sub"] for u in self.users.values()}:
            raise Refused(400, f"unknown userId {score.get('userId')}")
        self.scores.append((item, score))
        return 200, "application/json", "{}"


class Refused(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status, self.reason = status, reason
