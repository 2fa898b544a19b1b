import base64
import json

from odoo.tests import BaseCase, tagged

from odoo.addons.paypal_bridge import bridge_token
from odoo.addons.paypal_bridge.bridge_token import TokenError

SECRET = 'pbt1-test-vector-secret-0123456789abcdef'

# The same vectors are in odoo_addon/README.md, for the TypeScript side.
VECTORS = [
    (
        {'typ': 'checkout', 'sub': 4, 'db': 'odoo18', 'scp': ['checkout'], 'ref': 'S00042-1',
         'iat': 1767225600, 'exp': 1767229200},
        'pbt1.eyJ0eXAiOiJjaGVja291dCIsInN1YiI6NCwiZGIiOiJvZG9vMTgiLCJzY3AiOlsiY2hlY2tvdXQiXSwicmVm'
        'IjoiUzAwMDQyLTEiLCJpYXQiOjE3NjcyMjU2MDAsImV4cCI6MTc2NzIyOTIwMH0'
        '.0oElC38KTF921X1HuykksUQ6M-tsADcAo5GnEVfWy9Y',
    ),
    (
        {'typ': 'server', 'sub': 2, 'db': 'odoo18', 'scp': ['operations'], 'ref': 'S00042-1',
         'iat': 1767225600, 'exp': 1767225660},
        'pbt1.eyJ0eXAiOiJzZXJ2ZXIiLCJzdWIiOjIsImRiIjoib2RvbzE4Iiwic2NwIjpbIm9wZXJhdGlvbnMiXSwicmVm'
        'IjoiUzAwMDQyLTEiLCJpYXQiOjE3NjcyMjU2MDAsImV4cCI6MTc2NzIyNTY2MH0'
        '.C5HgEplVVvulnZssKE_JjF5_dzwD2BHD1cf9QRUtlwE',
    ),
    (
        {'typ': 'admin', 'sub': 2, 'db': 'prod-é', 'scp': ['read', 'sync', 'capture', 'void', 'refund', 'replay'],
         'iat': 1767225600, 'exp': 1767226200},
        'pbt1.eyJ0eXAiOiJhZG1pbiIsInN1YiI6MiwiZGIiOiJwcm9kLcOpIiwic2NwIjpbInJlYWQiLCJzeW5jIiwiY2Fw'
        'dHVyZSIsInZvaWQiLCJyZWZ1bmQiLCJyZXBsYXkiXSwiaWF0IjoxNzY3MjI1NjAwLCJleHAiOjE3NjcyMjYyMDB9'
        '.3ZbpVQywBlx2DSEShMEjcbRDTgZ_PWdlVmhBmDcHPm0',
    ),
]


@tagged('post_install', '-at_install')
class TestBridgeToken(BaseCase):

    def test_fixed_vectors(self):
        for payload, token in VECTORS:
            self.assertEqual(bridge_token.sign(SECRET, payload), token)
            self.assertEqual(bridge_token.verify(SECRET, token, now=payload['iat']), payload)

    def test_issue_sets_type_lifetime_and_fields(self):
        token = bridge_token.issue(SECRET, 'server', sub=7, db='db1', scopes=['operations'], ref='R1', now=1000)
        payload = bridge_token.verify(SECRET, token, now=1000, typ='server')
        self.assertEqual(payload, {
            'typ': 'server', 'sub': 7, 'db': 'db1', 'scp': ['operations'], 'ref': 'R1',
            'iat': 1000, 'exp': 1060,
        })
        checkout = bridge_token.verify(
            SECRET, bridge_token.issue(SECRET, 'checkout', 4, 'db1', ['checkout'], ref='S1', now=1000), now=1000)
        self.assertEqual(checkout['exp'] - checkout['iat'], 3600)
        admin = bridge_token.verify(SECRET, bridge_token.issue(SECRET, 'admin', 2, 'db1', ['read'], now=1000), now=1000)
        self.assertEqual(admin['exp'] - admin['iat'], 600)
        self.assertNotIn('ref', admin)

    def test_expiry(self):
        token = bridge_token.issue(SECRET, 'server', 2, 'db1', ['operations'], now=1000)
        self.assertTrue(bridge_token.verify(SECRET, token, now=1059))
        with self.assertRaisesRegex(TokenError, 'expired'):
            bridge_token.verify(SECRET, token, now=1060)

    def test_tampered_payload_is_refused(self):
        token = bridge_token.issue(SECRET, 'checkout', 4, 'db1', ['checkout'], ref='S1', now=1000)
        prefix, body, signature = token.split('.')
        payload = json.loads(base64.urlsafe_b64decode(body + '=' * (-len(body) % 4)))
        payload['ref'] = 'S2'
        forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b'=').decode()
        with self.assertRaisesRegex(TokenError, 'signature'):
            bridge_token.verify(SECRET, f'{prefix}.{forged_body}.{signature}', now=1000)

    def test_tampered_signature_wrong_secret_and_garbage_are_refused(self):
        token = bridge_token.issue(SECRET, 'checkout', 4, 'db1', ['checkout'], now=1000)
        flipped = token[:-1] + ('A' if token[-1] != 'A' else 'B')
        for bad in (flipped, token + 'x', token.replace('pbt1.', 'pbt2.'), 'pbt1.abc', '', 'not a token'):
            with self.subTest(token=bad), self.assertRaises(TokenError):
                bridge_token.verify(SECRET, bad, now=1000)
        with self.assertRaisesRegex(TokenError, 'signature'):
            bridge_token.verify(SECRET.upper(), token, now=1000)

    def test_type_is_enforced_when_asked(self):
        token = bridge_token.issue(SECRET, 'checkout', 4, 'db1', ['checkout'], now=1000)
        with self.assertRaisesRegex(TokenError, 'expected'):
            bridge_token.verify(SECRET, token, now=1000, typ='server')

    def test_short_secret_and_unknown_type_are_refused(self):
        with self.assertRaisesRegex(TokenError, '32'):
            bridge_token.issue('short', 'server', 2, 'db1', ['operations'])
        with self.assertRaisesRegex(TokenError, 'unknown token type'):
            bridge_token.issue(SECRET, 'root', 2, 'db1', [])
