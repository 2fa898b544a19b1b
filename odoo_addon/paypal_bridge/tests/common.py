from odoo.fields import Command

from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.sale.tests.common import SaleCommon

BRIDGE_SECRET = 'test-bridge-secret-0123456789-abcdefghij'


class PaypalBridgeCommon(AccountPaymentCommon, SaleCommon):
    """ A PayPal provider with the bridge enabled, a journal, a sale order, and the service user. """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paypal = cls._prepare_provider('paypal', update_values={
            'paypal_email_account': 'merchant@example.com',
            'paypal_client_id': 'dummy_client_id',
            'paypal_client_secret': 'dummy_client_secret',
            'paypal_bridge_enabled': True,
            'paypal_bridge_service_url': 'http://bridge.test:8070/',
            'paypal_bridge_secret': BRIDGE_SECRET,
        })
        cls.provider = cls.paypal
        cls.paypal.journal_id = cls.company_data['default_journal_bank']
        cls.paypal.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.paypal
        ).payment_account_id = cls.inbound_payment_method_line.payment_account_id

        cls.paypal_method = cls.env.ref('payment.payment_method_paypal')
        cls.paypal_method.active = True
        cls.payment_method_id = cls.paypal_method.id

        cls.currency = cls.sale_order.currency_id
        cls.partner = cls.sale_order.partner_invoice_id
        cls.amount = cls.sale_order.amount_total

        cls.service_user = cls.env.ref('paypal_bridge.user_paypal_bridge_service')
        cls.accountant = cls._create_new_internal_user(
            login='paypal_bridge_accountant', groups='base.group_user,account.group_account_manager',
        )
        cls.manager = cls.accountant  # account managers are PayPal managers (implied group)

    # === Helpers === #

    @property
    def Service(self):
        """ payment.transaction as the service's technical user (the RPC caller). """
        return self.env['payment.transaction'].with_user(self.service_user)

    def money(self, amount):
        return '%.2f' % amount

    def _create_order_tx(self, state=None, **values):
        """ A PayPal transaction paying a fresh quotation, optionally already in `state`. """
        order = self.sale_order.copy()
        tx = self._create_transaction(
            'direct', reference=values.pop('reference', order.name), amount=order.amount_total,
            sale_order_ids=[Command.set(order.ids)], **values,
        )
        if state:
            tx.write({'state': state})
        return tx

    def _capture(self, tx, capture_id='CAP-1', **values):
        """ Book a completed full capture on `tx` through the RPC entry point. """
        return self.Service.paypal_bridge_apply_payment(tx.reference, 'done', {
            'capture_id': capture_id, 'amount': self.money(tx.amount), 'currency': tx.currency_id.name,
            **values,
        })

    def _refund(self, tx, refund_id, amount, status='COMPLETED', kind='refund', **values):
        return self.Service.paypal_bridge_register_refund(
            tx.reference, refund_id, amount, tx.currency_id.name, status, kind=kind, values=values or None,
        )
