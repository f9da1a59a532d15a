"""The hub's secrets, created once in <root>/hub (root, mode 0600) and kept across restarts.

- the cookie secret: a restarted hub still accepts everyone's login cookie;
- the proxy's auth token: a restarted hub still commands a proxy that kept running
  (JupyterHub otherwise makes a new one at each start, and warns that the proxy must be
  restarted with it);
- the trial's shared password (``make hub`` only);
- for LTI: the tool's RSA key, which signs the grade passback's token requests (its
  public half, <root>/lti-tool-jwks.json, is what the LMS registration needs), and the
  roster the hub maps LMS users with.
"""

import base64
import hashlib
import json
import os
import secrets
import shutil

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def private_file(path, make):
    """The content of ``path``; created with ``make()`` (str), mode 0600, if missing.

    Never overwritten: an existing secret is the one every running piece already uses.
    Its mode is set back to 0600 if it was opened up.
    """
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
    os.chmod(path, 0o600)
    with open(path) as f:
        return f.read()


def cookie_secret(dep):
    """32 random bytes, hex-encoded: what JupyterHub reads from cookie_secret_file."""
    return private_file(dep.cookie_secret_file, lambda: secrets.token_hex(32) + "\n").strip()


def proxy_token(dep):
    return private_file(dep.proxy_token_file, lambda: secrets.token_hex(32) + "\n").strip()


def trial_password(dep):
    """The shared password of the trial's accounts."""
    return private_file(dep.password_file, lambda: secrets.token_urlsafe(12) + "\n").strip()


def _new_rsa_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def lti_tool_key(dep):
    """The tool's private key (PEM) and its public JWKS, written for the registration."""
    pem = private_file(dep.lti_key_file, _new_rsa_key)
    public = serialization.load_pem_private_key(pem.encode(), password=None).public_key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
    jwk.update(kid=thumbprint(jwk), alg="RS256", use="sig")
    with open(dep.lti_jwks_file, "w") as f:
        json.dump({"keys": [jwk]}, f, indent=1)
    os.chmod(dep.lti_jwks_file, 0o644)
    return pem, jwk


def thumbprint(jwk):
    """RFC 7638: SHA-256 of the key's required members, base64url (the key's id)."""
    members = {k: jwk[k] for k in ("e", "kty", "n")}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def install_roster(dep, path):
    """Copy the class list (autograder.roster's CSV, with lms_user_id) into hub/."""
    os.makedirs(dep.hub_dir, mode=0o700, exist_ok=True)
    shutil.copyfile(path, dep.roster_file)
    os.chmod(dep.roster_file, 0o600)
