from odoo.exceptions import MissingError
from odoo.tests import tagged

from odoo.addons.paypal_bridge.tests.common import PaypalBridgeCommon


@tagged('post_install', '-at_install')
class TestCaptures(PaypalBridgeCommon):

    def _authorized_tx(self):
        tx = self._create_order_tx()
        self.Service.paypal_bridge_apply_payment(tx.reference, 'authorized', {'authorization_id': f'AUTH-{tx.id}'})
        self.assertEqual(tx.state, 'authorized')
        return tx

    def _register(self, tx, capture_id, amount, status='COMPLETED', **values):
        return self.Service.paypal_bridge_register_capture(
            tx.reference, capture_id, amount, tx.currency_id.name, status, values or None)

    def test_full_capture_is_booked_on_the_source(self):
        tx = self._authorized_tx()
        answer = self._register(tx, 'CAP-FULL', self.money(tx.amount), fee='10.00', net=self.money(tx.amount - 10))
        self.assertEqual(answer['result'], 'applied')
        self.assertEqual(answer['tx']['id'], tx.id)
        self.assertEqual((tx.state, tx.paypal_capture_id), ('done', 'CAP-FULL'))
        self.assertFalse(tx.child_transaction_ids)
        self.assertTrue(tx.payment_id)
        self.assertEqual(self._register(tx, 'CAP-FULL', self.money(tx.amount))['result'], 'unchanged')

    def test_partial_captures_make_children_and_settle_the_source(self):
        tx = self._authorized_tx()
        first = self._register(tx, 'CAP-P1', '225.00')
        self.assertEqual(first['result'], 'applied')
        child = tx.child_transaction_ids
        self.assertEqual(len(child), 1)
        self.assertEqual((child.amount, child.state, child.paypal_capture_id), (225.0, 'done', 'CAP-P1'))
        self.assertTrue(child.payment_id)
        self.assertEqual(tx.state, 'authorized')
        self.assertEqual(first['tx']['source_reference'], tx.reference)

        self.assertEqual(self._register(tx, 'CAP-P1', '225.00')['result'], 'unchanged')
        self.assertEqual(len(tx.child_transaction_ids), 1)

        self._register(tx, 'CAP-P2', self.money(tx.amount - 225))
        self.assertEqual(len(tx.child_transaction_ids), 2)
        self.assertEqual(tx.state, 'done')
        self.assertFalse(tx.payment_id)  # the payments are on the partial captures
        info = self.Service.paypal_bridge_find(reference=tx.reference)
        self.assertEqual(info['captured_amount'], self.money(tx.amount))
        self.assertEqual([c['paypal_capture_id'] for c in info['children']], ['CAP-P1', 'CAP-P2'])

    def test_capture_over_the_authorized_amount_is_a_mismatch(self):
        tx = self._authorized_tx()
        answer = self._register(tx, 'CAP-OVER', self.money(tx.amount + 1))
        self.assertEqual(answer['result'], 'mismatch')
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(tx.state, 'authorized')
        self.assertTrue(tx.paypal_needs_review)

    def test_pending_partial_capture_then_completed(self):
        tx = self._authorized_tx()
        self._register(tx, 'CAP-PP', '100.00', status='PENDING', status_detail='ECHECK')
        child = tx.child_transaction_ids
        self.assertEqual((child.state, child.paypal_status_detail), ('pending', 'ECHECK'))
        self.assertEqual(self._register(tx, 'CAP-PP', '100.00')['result'], 'applied')
        self.assertEqual(child.state, 'done')

    def test_partial_capture_needs_the_authorization(self):
        tx = self._create_order_tx()
        with self.assertRaises(MissingError):
            self._register(tx, 'CAP-EARLY', '1.00')

    def test_void_after_partial_capture_settles_the_source(self):
        tx = self._authorized_tx()
        self._register(tx, 'CAP-V1', '100.00')
        answer = self.Service.paypal_bridge_apply_payment(
            tx.reference, 'cancel', {'authorization_id': tx.paypal_authorization_id})
        self.assertEqual(answer['result'], 'applied')
        void = tx.child_transaction_ids.filtered(lambda c: c.state == 'cancel')
        self.assertEqual(void.amount, tx.amount - 100)
        self.assertEqual(tx.state, 'done')
        self.assertEqual(tx.sale_order_ids.state, 'sale')

    def test_void_without_capture_cancels(self):
        tx = self._authorized_tx()
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'cancel', {})
        self.assertEqual((answer['result'], tx.state), ('applied', 'cancel'))
        self.assertFalse(tx.child_transaction_ids)

    def test_capture_events_through_apply_payment_are_booked_as_captures(self):
        tx = self._authorized_tx()
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'done', {
            'capture_id': 'CAP-AP1', 'amount': '300.00', 'currency': tx.currency_id.name, 'fee': '1.00'})
        self.assertEqual(answer['result'], 'applied')
        child = tx.child_transaction_ids
        self.assertEqual((child.paypal_capture_id, child.amount, child.state, child.paypal_fee),
                         ('CAP-AP1', 300.0, 'done', 1.0))
        self.assertFalse(tx.paypal_needs_review)
        again = self.Service.paypal_bridge_apply_payment(tx.reference, 'done', {
            'capture_id': 'CAP-AP1', 'amount': '300.00', 'currency': tx.currency_id.name})
        self.assertEqual(again['result'], 'unchanged')
        # Without an amount, the capture takes what is left of the authorization.
        self.Service.paypal_bridge_apply_payment(tx.reference, 'done', {'capture_id': 'CAP-AP2'})
        self.assertEqual(tx.state, 'done')
        self.assertEqual(sorted(tx.child_transaction_ids.mapped('amount')), sorted([300.0, tx.amount - 300]))

    def test_capture_of_a_cancelled_transaction_is_flagged(self):
        tx = self._authorized_tx()
        self.Service.paypal_bridge_apply_payment(tx.reference, 'cancel', {})
        answer = self.Service.paypal_bridge_apply_payment(tx.reference, 'done', {'capture_id': 'CAP-LATE'})
        self.assertEqual((answer['result'], tx.state), ('applied', 'cancel'))
        self.assertEqual(tx.paypal_capture_id, 'CAP-LATE')
        self.assertTrue(tx.paypal_needs_review)
        self.assertIn('charged', tx.paypal_review_reason)
