import time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.paypal_bridge import bridge_token
from odoo.addons.paypal_bridge.tests.common import BRIDGE_SECRET, PaypalBridgeCommon

ALL_SCOPES = ['read', 'sync', 'capture', 'void', 'refund', 'replay']


@tagged('post_install', '-at_install')
class TestBackofficeSession(PaypalBridgeCommon):

    def _session(self, user):
        return self.env['payment.provider'].with_user(user).paypal_bridge_admin_session()

    def test_manager_gets_a_ten_minute_admin_token_for_the_public_url(self):
        self.paypal.paypal_bridge_public_url = 'https://bridge.example.com/'
        before = int(time.time())
        session = self._session(self.manager)
        after = int(time.time())
        self.assertEqual(session['service_url'], 'https://bridge.example.com')
        self.assertEqual(session['scopes'], ALL_SCOPES)
        payload = bridge_token.verify(BRIDGE_SECRET, session['token'], typ='admin')
        self.assertEqual(payload['sub'], self.manager.id)
        self.assertEqual(payload['db'], self.env.cr.dbname)
        self.assertEqual(payload['scp'], ALL_SCOPES)
        self.assertNotIn('ref', payload)
        self.assertEqual(payload['exp'] - payload['iat'], 600)
        self.assertTrue(before <= payload['iat'] <= after)
        # expires_at never promises more than the token holds (at most one second less).
        self.assertIn(payload['exp'] - session['expires_at'], (0, 1))
        # The token is dead at its expiry, as the service will see it.
        with self.assertRaisesRegex(bridge_token.TokenError, 'expired'):
            bridge_token.verify(BRIDGE_SECRET, session['token'], now=payload['exp'])

    def test_public_url_defaults_to_the_service_url(self):
        self.paypal.paypal_bridge_public_url = False
        self.assertEqual(self._session(self.manager)['service_url'], 'http://bridge.test:8070')

    def test_administrator_is_a_manager(self):
        admin = self.env.ref('base.user_admin')
        # The provider of the admin's *current* company is used: switch to the test's company.
        admin.company_ids |= self.paypal.company_id
        session = self.env['payment.provider'].with_user(admin).with_company(self.paypal.company_id).paypal_bridge_admin_session()
        payload = bridge_token.verify(BRIDGE_SECRET, session['token'])
        self.assertEqual(payload['sub'], admin.id)

    @mute_logger('odoo.addons.base.models.ir_model')
    def test_refused_to_everyone_but_paypal_managers(self):
        invoicing_user = self._create_new_internal_user(
            login='paypal_bridge_invoicing', groups='base.group_user,account.group_account_invoice',
        )
        self.assertFalse(invoicing_user.has_group('paypal_bridge.group_paypal_bridge_manager'))
        for user in (invoicing_user, self.internal_user, self.portal_user, self.service_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._session(user)

    def test_refused_without_an_enabled_bridge(self):
        self.paypal.paypal_bridge_enabled = False
        with self.assertRaisesRegex(UserError, 'not enabled'):
            self._session(self.manager)

    def test_search_fields_are_indexed(self):
        """ The back office's search box: ilike on reference and payer e-mail (trigram when the
        database has pg_trgm), `=` on the PayPal ids (btree). """
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'payment_transaction'"
        )
        definitions = [row[0] for row in self.env.cr.fetchall()]

        def indexed(column, method):
            return any(f'USING {method}' in d and f'({column}' in d.replace('"', '') for d in definitions)

        for column in ('paypal_order_id', 'paypal_capture_id', 'paypal_refund_id', 'paypal_payer_id'):
            with self.subTest(column=column):
                self.assertTrue(indexed(column, 'btree'), definitions)
        if self.env.registry.has_trigram:
            for column in ('reference', 'paypal_payer_email'):
                with self.subTest(column=column):
                    self.assertTrue(indexed(column, 'gin'), definitions)
