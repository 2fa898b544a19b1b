from odoo.tests import tagged

from odoo.addons.paypal_bridge.tests.common import PaypalBridgeCommon


@tagged('post_install', '-at_install')
class TestApplyPayment(PaypalBridgeCommon):

    def test_done_posts_the_payment_and_confirms_the_order(self):
        tx = self._create_order_tx()
        order = tx.sale_order_ids
        self.assertEqual(order.state, 'draft')
        answer = self._capture(tx, 'CAP-DONE', paypal_order_id='ORDER-1', fee='21.33', net='703.67',
                               payer_id='PAYER-1', payer_email='buyer@example.com', event_id='WH-1')
        self.assertEqual(answer['result'], 'applied')
        self.assertEqual(tx.state, 'done')
        self.assertTrue(tx.is_post_processed)
        self.assertEqual(tx.payment_id.state, 'in_process')  # posted, waiting for the bank statement
        self.assertEqual(tx.payment_id.amount, tx.amount)
        self.assertEqual(order.state, 'sale')
        self.assertEqual((tx.paypal_capture_id, tx.provider_reference, tx.paypal_order_id),
                         ('CAP-DONE', 'CAP-DONE', 'ORDER-1'))
        self.assertAlmostEqual(tx.paypal_fee, 21.33)
        self.assertAlmostEqual(tx.paypal_net_amount, 703.67)
        self.assertEqual(tx.paypal_last_event_id, 'WH-1')
        info = answer['tx']
        self.assertEqual((info['state'], info['amount'], info['paypal_fee'], info['captured_amount']),
                         ('done', self.money(tx.amount), '21.33', self.money(tx.amount)))
        self.assertEqual(info['sale_order_names'], [order.name])
        self.assertEqual(info['payment_id'], tx.payment_id.id)
        self.assertFalse(info['paypal_needs_review'])
        self.assertNotIn(None, info.values())

    def test_same_event_twice_is_unchanged(self):
        tx = self._create_order_tx()
        self._capture(tx, 'CAP-TWICE', event_id='WH-1')
        payment = tx.payment_id
        self.assertEqual(self._capture(tx, 'CAP-TWICE', event_id='WH-1')['result'], 'unchanged')
        self.assertEqual(tx.payment_id, payment)
        self.assertEqual(self.env['account.payment'].search_count([('payment_transaction_id', '=', tx.id)]), 1)

    def test_payer_id_is_stored_on_the_transaction_and_set_once_on_the_customer(self):
        tx = self._create_order_tx()
        self._capture(tx, 'CAP-P1', payer_id='PAYER-FIRST')
        self.assertEqual(tx.paypal_payer_id, 'PAYER-FIRST')
        self.assertEqual(tx.partner_id.paypal_payer_id, 'PAYER-FIRST')
        tx2 = self._create_order_tx()
        self._capture(tx2, 'CAP-P2', payer_id='PAYER-OTHER')
        self.assertEqual(tx2.paypal_payer_id, 'PAYER-OTHER')
        self.assertEqual(tx.partner_id.paypal_payer_id, 'PAYER-FIRST')

    def test_amount_mismatch_flags_and_keeps_the_state(self):
        tx = self._create_order_tx()
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'done', {
            'capture_id': 'CAP-MISMATCH', 'amount': '1.00', 'currency': tx.currency_id.name,
        })
        self.assertEqual(answer['result'], 'mismatch')
        self.assertEqual(tx.state, 'draft')
        self.assertTrue(tx.paypal_needs_review)
        self.assertIn('amount 1.00', tx.paypal_review_reason)
        self.assertFalse(tx.paypal_capture_id)
        self.assertEqual(tx.sale_order_ids.state, 'draft')
        self.assertTrue(answer['tx']['paypal_needs_review'])

    def test_currency_mismatch_flags_and_keeps_the_state(self):
        tx = self._create_order_tx()
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'done', {
            'amount': self.money(tx.amount), 'currency': 'EUR' if tx.currency_id.name != 'EUR' else 'USD',
        })
        self.assertEqual(answer['result'], 'mismatch')
        self.assertEqual(tx.state, 'draft')
        self.assertIn('currency', tx.paypal_review_reason)

    def test_pending_review_then_done(self):
        tx = self._create_order_tx()
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'pending', {
            'capture_id': 'CAP-PENDING', 'status_detail': 'PENDING_REVIEW',
        })
        self.assertEqual(answer['result'], 'applied')
        self.assertEqual(tx.state, 'pending')
        self.assertEqual(tx.paypal_status_detail, 'PENDING_REVIEW')
        self.assertEqual(tx.state_message, 'PENDING_REVIEW')
        self.assertFalse(tx.payment_id)
        self._capture(tx, 'CAP-PENDING')
        self.assertEqual(tx.state, 'done')
        self.assertFalse(tx.paypal_status_detail)
        self.assertTrue(tx.payment_id)
        self.assertEqual(tx.sale_order_ids.state, 'sale')

    def test_forward_only_done_then_pending_stays_done(self):
        tx = self._create_order_tx()
        self._capture(tx, 'CAP-FWD')
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'pending', {
            'capture_id': 'CAP-FWD', 'status_detail': 'PENDING_REVIEW',
        })
        self.assertEqual(answer['result'], 'unchanged')
        self.assertEqual(tx.state, 'done')
        self.assertFalse(tx.paypal_status_detail)
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'cancel', {})
        self.assertEqual((answer['result'], tx.state), ('unchanged', 'done'))

    def test_denied_cancels(self):
        tx = self._create_order_tx()
        self.Service.paypal_bridge_apply_payment(tx.reference, 'pending', {'status_detail': 'PENDING_REVIEW'})
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'cancel', {
            'capture_id': 'CAP-DENIED', 'message': 'DENIED by PayPal risk review',
        })
        self.assertEqual(answer['result'], 'applied')
        self.assertEqual(tx.state, 'cancel')
        self.assertEqual(tx.state_message, 'DENIED by PayPal risk review')
        self.assertFalse(tx.payment_id)
        self.assertEqual(tx.sale_order_ids.state, 'sent')  # pending had sent the quotation

    def test_unilateral_error_flags_for_review(self):
        tx = self._create_order_tx()
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'error', {'status_detail': 'UNILATERAL'})
        self.assertEqual((answer['result'], tx.state), ('applied', 'error'))
        self.assertTrue(tx.paypal_needs_review)
        self.assertIn('UNILATERAL', tx.paypal_review_reason)
        self.assertEqual(self.Service.paypal_bridge_apply_payment(tx.reference, 'error', {
            'status_detail': 'UNILATERAL'})['result'], 'unchanged')

    def test_authorized_stores_the_authorization_and_confirms_the_order(self):
        tx = self._create_order_tx()
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'authorized', {
            'authorization_id': 'AUTH-1', 'authorization_expiry': '2031-02-03T04:05:06+01:00',
            'amount': self.money(tx.amount), 'currency': tx.currency_id.name,
        })
        self.assertEqual((answer['result'], tx.state), ('applied', 'authorized'))
        self.assertEqual(tx.paypal_authorization_id, 'AUTH-1')
        self.assertEqual(answer['tx']['paypal_authorization_expiry'], '2031-02-03T03:05:06Z')
        self.assertEqual(tx.sale_order_ids.state, 'sale')
        self.assertFalse(tx.payment_id)

    def test_capture_id_booked_on_another_transaction_is_a_conflict(self):
        first = self._create_order_tx()
        self._capture(first, 'CAP-SHARED')
        second = self._create_order_tx()
        answer = self._capture(second, 'CAP-SHARED')
        self.assertEqual(answer['result'], 'conflict')
        self.assertEqual(second.state, 'draft')
        self.assertTrue(second.paypal_needs_review)
        self.assertIn(first.reference, second.paypal_review_reason)

    def test_second_capture_for_one_transaction_is_a_conflict(self):
        tx = self._create_order_tx()
        self._capture(tx, 'CAP-A')
        answer = self._capture(tx, 'CAP-B')
        self.assertEqual(answer['result'], 'conflict')
        self.assertEqual(tx.paypal_capture_id, 'CAP-A')
        self.assertIn('paid twice', tx.paypal_review_reason)

    def test_flag_review_entry_point(self):
        tx = self._create_order_tx()
        self.assertEqual(self.Service.paypal_bridge_flag_review(tx.reference, 'Check me')['result'], 'applied')
        self.assertEqual(self.Service.paypal_bridge_flag_review(tx.reference, 'Check me')['result'], 'unchanged')
        self.assertEqual(tx.paypal_review_reason, 'Check me')
        tx.with_user(self.manager).action_paypal_bridge_mark_reviewed()
        self.assertFalse(tx.paypal_needs_review)

    def test_find_order(self):
        tx = self._create_order_tx()
        self.Service.paypal_bridge_apply_payment(tx.reference, 'pending', {
            'paypal_order_id': 'ORD-F', 'authorization_id': 'AUTH-F'})
        self._capture(tx, 'CAP-F')
        for kwargs in ({'capture_id': 'CAP-F'}, {'authorization_id': 'AUTH-F'},
                       {'paypal_order_id': 'ORD-F'}, {'reference': tx.reference},
                       {'capture_id': 'unknown', 'reference': tx.reference}):
            with self.subTest(**kwargs):
                self.assertEqual(self.Service.paypal_bridge_find(**kwargs)['id'], tx.id)
