from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.paypal_bridge import bridge_token
from odoo.addons.paypal_bridge.tests.common import BRIDGE_SECRET, PaypalBridgeCommon

PAYPAL_REQUEST = 'odoo.addons.payment_paypal.models.payment_provider.PaymentProvider._paypal_make_request'


@tagged('post_install', '-at_install')
class TestProvider(PaypalBridgeCommon):

    @mute_logger('odoo.addons.payment.models.payment_transaction')
    def test_processing_values_carry_a_checkout_token_and_make_no_paypal_call(self):
        tx = self._create_order_tx()
        with patch(PAYPAL_REQUEST) as paypal_request:
            values = tx._get_processing_values()
        paypal_request.assert_not_called()
        self.assertEqual(values['bridge_public_url'], 'http://bridge.test:8070')
        self.assertEqual((values['reference'], values['amount'], values['currency']),
                         (tx.reference, self.money(tx.amount), tx.currency_id.name))
        self.assertNotIn('order_id', values)
        payload = bridge_token.verify(BRIDGE_SECRET, values['bridge_checkout_token'], typ='checkout')
        self.assertEqual((payload['ref'], payload['scp'], payload['db']),
                         (tx.reference, ['checkout'], self.env.cr.dbname))
        self.assertEqual(payload['exp'] - payload['iat'], 3600)

        self.paypal.paypal_bridge_public_url = 'https://pay.example.com/'
        with patch(PAYPAL_REQUEST):
            self.assertEqual(tx._get_processing_values()['bridge_public_url'], 'https://pay.example.com')

    @mute_logger('odoo.addons.payment.models.payment_transaction')
    def test_without_the_bridge_payment_paypal_works_as_before(self):
        tx = self._create_order_tx()
        self.paypal.paypal_bridge_enabled = False
        with patch(PAYPAL_REQUEST, return_value={'id': 'ODOO-ORDER'}) as paypal_request:
            values = tx._get_processing_values()
        paypal_request.assert_called_once()
        self.assertEqual(values['order_id'], 'ODOO-ORDER')
        self.assertNotIn('bridge_checkout_token', values)
        self.assertEqual(self.paypal.support_refund, 'none')
        self.assertFalse(self.paypal.support_manual_capture)

    def test_odoo_never_calls_paypal_under_the_bridge(self):
        with self.assertRaisesRegex(ValidationError, 'does not call PayPal'):
            self.paypal._paypal_make_request('/v2/checkout/orders', json_payload={})
        with self.assertRaisesRegex(ValidationError, 'does not call PayPal'):
            self.paypal._paypal_fetch_access_token()

    def test_bridge_enables_refund_and_manual_capture(self):
        self.assertEqual(self.paypal.support_refund, 'partial')
        self.assertEqual(self.paypal.support_manual_capture, 'partial')

    def test_enabling_the_bridge_gives_paypal_a_journal_of_its_own(self):
        self.paypal.write({'paypal_bridge_enabled': False})
        bank = self.company_data['default_journal_bank']
        self.paypal.journal_id = bank
        self.env['account.bank.statement.line'].create({'journal_id': bank.id, 'amount': 10.0, 'payment_ref': "the bank's own"})
        self.paypal.paypal_bridge_enabled = True
        journal = self.paypal.journal_id
        self.assertEqual((journal.code, journal.type, journal.company_id), ('PYPL', 'bank', self.paypal.company_id))
        # Its own already: kept, whatever it is called.
        own = self.env['account.journal'].create({'name': "PayPal EUR", 'type': 'bank', 'code': 'PPEU', 'company_id': self.paypal.company_id.id})
        self.paypal.write({'paypal_bridge_enabled': False})
        self.paypal.journal_id = own
        self.paypal.paypal_bridge_enabled = True
        self.assertEqual(self.paypal.journal_id, own)

    def test_enabling_the_bridge_proposes_the_bank_fees_account(self):
        bank_fees = self.env['account.chart.template'].with_company(self.paypal.company_id).ref('expense_finance')
        self.assertEqual(self.paypal.paypal_bridge_fee_account_id, bank_fees)

    def test_without_a_bank_fees_account_a_paypal_fees_account_is_created_once(self):
        company = self.paypal.company_id
        self.env['account.chart.template'].with_company(company).ref('expense_finance').deprecated = True
        self.paypal.write({'paypal_bridge_enabled': False, 'paypal_bridge_fee_account_id': False})
        self.paypal.paypal_bridge_enabled = True
        created = self.paypal.paypal_bridge_fee_account_id
        self.assertEqual((created.name, created.account_type, created.company_ids), ("PayPal Fees", 'expense', company))
        self.paypal.write({'paypal_bridge_enabled': False, 'paypal_bridge_fee_account_id': False})
        self.paypal.paypal_bridge_enabled = True
        self.assertEqual(self.paypal.paypal_bridge_fee_account_id, created)
        self.assertEqual(self.env['account.account'].search_count([('name', '=', "PayPal Fees"), ('company_ids', 'in', company.id)]), 1)

    def test_a_fee_account_cleared_on_purpose_stays_cleared(self):
        self.paypal.paypal_bridge_fee_account_id = False
        self.paypal.paypal_bridge_dispute_user_id = self.env.user
        self.assertFalse(self.paypal.paypal_bridge_fee_account_id)

    def test_bridge_settings_are_checked(self):
        with self.assertRaisesRegex(ValidationError, 'Bridge Secret'):
            self.paypal.paypal_bridge_secret = 'too short'
        with self.assertRaisesRegex(ValidationError, 'Service URL'):
            self.paypal.paypal_bridge_service_url = 'bridge:8070'
        with self.assertRaisesRegex(ValidationError, 'only be enabled on a PayPal provider'):
            self.dummy_provider.paypal_bridge_enabled = True

    def test_service_key_logs_the_technical_user_in(self):
        before = self.env['res.users.apikeys'].search([])
        key, user, expiration = self.paypal._paypal_bridge_generate_service_key()
        self.assertEqual(user, self.service_user)
        self.assertEqual(self.env['res.users.apikeys']._check_credentials(scope='rpc', key=key), self.service_user.id)
        self.assertGreater(expiration, fields.Datetime.now() + timedelta(days=700))
        apikey = self.env['res.users.apikeys'].search([]) - before
        self.assertEqual(apikey.user_id, self.service_user)
        self.assertEqual(apikey.expiration_date, expiration)
