from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.paypal_bridge.tests.common import PaypalBridgeCommon

ENTRY_POINTS = [
    ('paypal_bridge_ping', (), {}),
    ('paypal_bridge_find', (), {'reference': 'X'}),
    ('paypal_bridge_apply_payment', ('X', 'done'), {'values': {}}),
    ('paypal_bridge_register_capture', ('X', 'CAP', '1.00', 'USD', 'COMPLETED'), {}),
    ('paypal_bridge_register_refund', ('X', 'REF', '1.00', 'USD', 'COMPLETED'), {}),
    ('paypal_bridge_upsert_dispute', ({'dispute_id': 'PP-D-1'},), {}),
    ('paypal_bridge_flag_review', ('X', 'why'), {}),
]


@tagged('post_install', '-at_install')
class TestAccess(PaypalBridgeCommon):

    @mute_logger('odoo.addons.base.models.ir_model', 'odoo.addons.base.models.ir_rule')
    def test_entry_points_refuse_everyone_but_the_service_group(self):
        admin = self.env.ref('base.user_admin')
        for user in (admin, self.accountant, self.internal_user, self.portal_user):
            for method, args, kwargs in ENTRY_POINTS:
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(self.env['payment.transaction'].with_user(user), method)(*args, **kwargs)

    def test_service_user_can_call_the_entry_points(self):
        ping = self.Service.paypal_bridge_ping()
        self.assertEqual(ping['ok'], True)
        self.assertEqual(ping['uid'], self.service_user.id)
        self.assertEqual(ping['module_version'], self.env['ir.module.module']._get('paypal_bridge').latest_version)
        self.assertEqual(ping['company_currency'], self.env.company.currency_id.name)
        self.assertIs(self.Service.paypal_bridge_find(reference='nothing-like-this'), False)
        tx = self._create_order_tx()
        info = self.Service.paypal_bridge_find(reference=tx.reference)
        self.assertEqual(info['id'], tx.id)
        self.assertEqual(info['amount'], self.money(tx.amount))

    @mute_logger('odoo.addons.base.models.ir_model', 'odoo.addons.base.models.ir_rule')
    def test_service_user_has_no_other_rights(self):
        for model in ('sale.order', 'payment.transaction', 'account.payment', 'paypal.dispute', 'payment.provider'):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.service_user).search_read([], ['id'], limit=1)
        self.assertFalse(self.service_user.has_group('base.group_system'))
        self.assertFalse(self.service_user.has_group('paypal_bridge.group_paypal_bridge_manager'))
        self.assertTrue(self.service_user._is_internal())

    def test_admin_is_manager_but_not_service(self):
        admin = self.env.ref('base.user_admin')
        self.assertTrue(admin.has_group('paypal_bridge.group_paypal_bridge_manager'))
        self.assertFalse(admin.has_group('paypal_bridge.group_paypal_bridge_service'))
        self.assertTrue(self.accountant.has_group('paypal_bridge.group_paypal_bridge_manager'))
        service_group = self.env.ref('paypal_bridge.group_paypal_bridge_service')
        self.assertEqual(service_group.users, self.service_user)
        implying = self.env['res.groups'].search([('implied_ids', 'in', service_group.ids)])
        self.assertFalse(implying)

    def test_argument_errors(self):
        tx = self._create_order_tx()
        with self.assertRaises(MissingError):
            self.Service.paypal_bridge_apply_payment('no-such-reference', 'done', {})
        with self.assertRaises(ValidationError):
            self.Service.paypal_bridge_apply_payment(tx.reference, 'paid', {})
        with self.assertRaises(ValidationError):
            self.Service.paypal_bridge_apply_payment(tx.reference, 'done', {'colour': 'blue'})
        with self.assertRaises(ValidationError):
            self.Service.paypal_bridge_apply_payment(tx.reference, 'done', {'amount': 725.0})
        with self.assertRaises(ValidationError):
            self.Service.paypal_bridge_find()
        with self.assertRaises(ValidationError):
            self.Service.paypal_bridge_find(reference=tx.reference, nope='x')
        with self.assertRaises(ValidationError):
            self.Service.paypal_bridge_apply_payment()
        with self.assertRaises(ValidationError):
            self.Service.paypal_bridge_upsert_dispute({'status': 'OPEN'})
        with self.assertRaises(ValidationError):
            self.Service.paypal_bridge_register_refund(tx.reference, 'R', '-1.00', 'USD', 'COMPLETED')
        self.assertEqual(tx.state, 'draft')

    def test_only_paypal_transactions_are_found(self):
        other = self._create_transaction('direct', reference='DUMMY-1', provider_id=self.dummy_provider.id)
        self.assertIs(self.Service.paypal_bridge_find(reference=other.reference), False)
        with self.assertRaises(MissingError):
            self.Service.paypal_bridge_apply_payment(other.reference, 'done', {})
