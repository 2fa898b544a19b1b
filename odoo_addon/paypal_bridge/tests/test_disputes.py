from datetime import date

from odoo.tests import tagged

from odoo.addons.paypal_bridge.tests.common import PaypalBridgeCommon


@tagged('post_install', '-at_install')
class TestDisputes(PaypalBridgeCommon):

    def setUp(self):
        super().setUp()
        self.tx = self._create_order_tx()
        self._capture(self.tx, f'CAP-{self.tx.id}')
        self.order = self.tx.sale_order_ids

    def _upsert(self, **values):
        return self.Service.paypal_bridge_upsert_dispute({
            'dispute_id': 'PP-D-1', 'capture_id': self.tx.paypal_capture_id, **values,
        })

    def _todos(self, dispute):
        todo = self.env.ref('mail.mail_activity_data_todo')
        return dispute.activity_ids.filtered(lambda a: a.activity_type_id == todo)

    def test_create_links_the_payment_and_schedules_a_todo(self):
        answer = self._upsert(
            status='WAITING_FOR_SELLER_RESPONSE', reason='MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
            stage='INQUIRY', amount='50.00', currency=self.tx.currency_id.name,
            seller_response_due_date='2031-05-10T10:00:00Z', update_time='2031-05-01T10:00:00Z',
            event_id='WH-D-1',
        )
        self.assertEqual(answer['result'], 'created')
        dispute = self.env['paypal.dispute'].browse(answer['id'])
        self.assertEqual(answer['dispute_id'], 'PP-D-1')
        self.assertEqual((dispute.transaction_id, dispute.sale_order_id, dispute.partner_id),
                         (self.tx, self.order, self.tx.partner_id))
        self.assertEqual((dispute.status, dispute.reason, dispute.stage, dispute.amount),
                         ('WAITING_FOR_SELLER_RESPONSE', 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED', 'INQUIRY', 50.0))
        self.assertEqual(self.tx.paypal_dispute_ids, dispute)
        todo = self._todos(dispute)
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.date_deadline, date(2031, 5, 10))
        self.assertEqual(todo.user_id, dispute.user_id)
        self.assertTrue(dispute.user_id)
        self.assertIn('PP-D-1', self.order.message_ids[:1].body)
        # Authored by OdooBot: the service user has no e-mail address that mail could be sent from.
        odoobot = self.env.ref('base.partner_root')
        self.assertEqual(self.order.message_ids[:1].author_id, odoobot)
        self.assertEqual(todo.create_uid.partner_id, odoobot)

    def test_update_older_update_and_same_update(self):
        self._upsert(status='OPEN', update_time='2031-05-01T10:00:00Z')
        newer = self._upsert(status='WAITING_FOR_SELLER_RESPONSE', update_time='2031-05-02T10:00:00Z',
                             seller_response_due_date='2031-05-12T00:00:00Z')
        self.assertEqual(newer['result'], 'updated')
        dispute = self.env['paypal.dispute'].browse(newer['id'])
        older = self._upsert(status='OPEN', update_time='2031-05-01T12:00:00Z')
        self.assertEqual(older['result'], 'unchanged')
        self.assertEqual(dispute.status, 'WAITING_FOR_SELLER_RESPONSE')
        same = self._upsert(status='WAITING_FOR_SELLER_RESPONSE', update_time='2031-05-02T10:00:00Z')
        self.assertEqual(same['result'], 'unchanged')
        # A second change within the same second (PayPal's times have whole seconds) is applied.
        same_second = self._upsert(status='UNDER_REVIEW', update_time='2031-05-02T10:00:00Z')
        self.assertEqual(same_second['result'], 'updated')
        self.assertEqual(dispute.status, 'UNDER_REVIEW')
        self.assertEqual(self.env['paypal.dispute'].search_count([('dispute_id', '=', 'PP-D-1')]), 1)

    def test_new_deadline_moves_the_todo_and_resolution_closes_it(self):
        first = self._upsert(status='WAITING_FOR_SELLER_RESPONSE', update_time='2031-05-01T10:00:00Z',
                             seller_response_due_date='2031-05-10T00:00:00Z')
        dispute = self.env['paypal.dispute'].browse(first['id'])
        self._upsert(status='WAITING_FOR_SELLER_RESPONSE', update_time='2031-05-03T10:00:00Z',
                     seller_response_due_date='2031-05-20T00:00:00Z')
        todo = self._todos(dispute)
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.date_deadline, date(2031, 5, 20))
        self._upsert(status='RESOLVED', outcome='RESOLVED_SELLER_FAVOUR', update_time='2031-05-25T10:00:00Z')
        self.assertFalse(self._todos(dispute))
        self.assertEqual(dispute.outcome, 'RESOLVED_SELLER_FAVOUR')

    def test_responsible_falls_back_to_the_provider_then_to_a_manager(self):
        self.order.user_id = self.internal_user  # cannot see disputes
        self.paypal.paypal_bridge_dispute_user_id = self.accountant
        answer = self._upsert(status='OPEN')
        self.assertEqual(self.env['paypal.dispute'].browse(answer['id']).user_id, self.accountant)
        self.paypal.paypal_bridge_dispute_user_id = False
        answer = self._upsert(dispute_id='PP-D-2', status='OPEN')
        user = self.env['paypal.dispute'].browse(answer['id']).user_id
        self.assertTrue(user.has_group('paypal_bridge.group_paypal_bridge_manager'))

    def test_unknown_values_are_kept_as_other_and_noted(self):
        answer = self._upsert(status='SOMETHING_NEW', update_time='2031-05-01T10:00:00Z')
        dispute = self.env['paypal.dispute'].browse(answer['id'])
        self.assertEqual(dispute.status, 'OTHER')
        self.assertTrue(any('SOMETHING_NEW' in body for body in dispute.message_ids.mapped('body')))

    def test_dispute_without_known_transaction(self):
        answer = self.Service.paypal_bridge_upsert_dispute({'dispute_id': 'PP-D-ORPHAN', 'capture_id': 'CAP-ELSEWHERE',
                                                            'status': 'OPEN'})
        # With no transaction to take it from, the dispute belongs to the service user's company,
        # which is not the test user's (AccountTestInvoicingCommon gives it a company of its own).
        dispute = self.env['paypal.dispute'].sudo().browse(answer['id'])
        self.assertEqual(answer['result'], 'created')
        self.assertFalse(dispute.transaction_id)
        self.assertEqual(dispute.capture_id, 'CAP-ELSEWHERE')
        self.assertTrue(self._todos(dispute))

    def test_accountants_read_and_managers_write(self):
        answer = self._upsert(status='OPEN')
        invoicing_user = self._create_new_internal_user(
            login='pb_invoicing', groups='base.group_user,account.group_account_invoice')
        dispute = self.env['paypal.dispute'].with_user(invoicing_user).browse(answer['id'])
        self.assertEqual(dispute.dispute_id, 'PP-D-1')
        self.assertFalse(dispute.has_access('write'))
        self.assertTrue(dispute.with_user(self.manager).has_access('write'))
