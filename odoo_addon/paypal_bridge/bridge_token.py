"""The `pbt1` tokens shared by Odoo, browsers and the PayPal Bridge service.

Format: ``pbt1.<payload>.<signature>`` where ``payload`` is the base64url (no padding) of the
UTF-8 JSON payload and ``signature`` the base64url (no padding) of
HMAC-SHA256(secret, "pbt1." + payload). The service verifies with the same secret
(BRIDGE_SECRET); see the README's token section for the payload fields and test vectors.

Plain Python on purpose (no Odoo import): the format is a contract with the TypeScript side.
"""
import base64
import binascii
import hashlib
import hmac
import json
import time

PREFIX = 'pbt1'
MIN_SECRET_LENGTH = 32  # The service refuses a shorter BRIDGE_SECRET; keep both sides aligned.

# Lifetime of each token type, in seconds.
TOKEN_TYPES = {
    'checkout': 3600,
    'server': 60,
    'admin': 600,
}


class TokenError(ValueError):
    """The token is malformed, forged or expired (the message says which)."""


def _b64encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def _b64decode(text):
    try:
        return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise TokenError("token is not base64url") from error


def _signature(secret, signed_part):
    digest = hmac.new(secret.encode('utf-8'), signed_part.encode('ascii'), hashlib.sha256).digest()
    return _b64encode(digest)


def _check_secret(secret):
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
        raise TokenError(f"the shared secret must be at least {MIN_SECRET_LENGTH} characters long")


def sign(secret, payload):
    """Return the token for a payload (a JSON-serialisable dict), signed with `secret`."""
    _check_secret(secret)
    # Compact separators and raw UTF-8 give the same bytes as JavaScript's JSON.stringify.
    body = json.dumps(payload, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    signed_part = f'{PREFIX}.{_b64encode(body)}'
    return f'{signed_part}.{_signature(secret, signed_part)}'


def issue(secret, typ, sub, db, scopes, ref=None, now=None):
    """Issue a token of type `typ` for user id `sub` on database `db`, valid for the type's TTL."""
    if typ not in TOKEN_TYPES:
        raise TokenError(f"unknown token type {typ!r}")
    iat = int(time.time() if now is None else now)
    payload = {'typ': typ, 'sub': sub, 'db': db, 'scp': list(scopes)}
    if ref is not None:
        payload['ref'] = ref
    payload['iat'] = iat
    payload['exp'] = iat + TOKEN_TYPES[typ]
    return sign(secret, payload)


def verify(secret, token, now=None, typ=None):
    """Return the payload of a valid token; raise TokenError otherwise.

    The signature is checked (in constant time) before the payload is even decoded.
    """
    _check_secret(secret)
    if not isinstance(token, str):
        raise TokenError("token must be a string")
    parts = token.split('.')
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TokenError(f"token is not a {PREFIX} token")
    signed_part = f'{parts[0]}.{parts[1]}'
    if not hmac.compare_digest(_signature(secret, signed_part), parts[2]):
        raise TokenError("token signature is invalid")
    try:
        payload = json.loads(_b64decode(parts[1]).decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as error:
        raise TokenError("token payload is not JSON") from error
    if not isinstance(payload, dict) or payload.get('typ') not in TOKEN_TYPES:
        raise TokenError("token payload has no valid type")
    if typ is not None and payload['typ'] != typ:
        raise TokenError(f"token type is {payload['typ']!r}, expected {typ!r}")
    exp = payload.get('exp')
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise TokenError("token has no expiry")
    if int(time.time() if now is None else now) >= exp:
        raise TokenError("token has expired")
    return payload
