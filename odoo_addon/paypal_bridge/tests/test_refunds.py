from odoo.exceptions import MissingError, ValidationError
from odoo.tests import tagged

from odoo.addons.paypal_bridge.tests.common import PaypalBridgeCommon
from odoo.addons.paypal_bridge.utils import format_amount


@tagged('post_install', '-at_install')
class TestRefunds(PaypalBridgeCommon):

    def setUp(self):
        super().setUp()
        self.tx = self._create_order_tx()
        self._capture(self.tx, f'CAP-{self.tx.id}')
        self.assertEqual(self.tx.state, 'done')

    def _refunds(self):
        return self.tx.child_transaction_ids.filtered(lambda c: c.operation == 'refund')

    def test_two_partial_refunds_are_two_transactions_with_their_own_amounts(self):
        first = self._refund(self.tx, 'REF-1', '100.00')
        second = self._refund(self.tx, 'REF-2', '25.50')
        self.assertEqual((first['result'], second['result']), ('applied', 'applied'))
        refunds = self._refunds().sorted('id')
        self.assertEqual(refunds.mapped('paypal_refund_id'), ['REF-1', 'REF-2'])
        self.assertEqual(refunds.mapped('amount'), [-100.0, -25.5])
        self.assertEqual(refunds.mapped('state'), ['done', 'done'])
        self.assertEqual(refunds.mapped('payment_id.payment_type'), ['outbound', 'outbound'])
        self.assertEqual(refunds.mapped('payment_id.amount'), [100.0, 25.5])
        self.assertEqual(self.tx.paypal_refund_status, 'partially_refunded')
        self.assertEqual(second['tx']['amount'], '25.50')
        self.assertEqual(second['tx']['operation'], 'refund')
        self.assertEqual(second['tx']['source_reference'], self.tx.reference)
        info = self.Service.paypal_bridge_find(reference=self.tx.reference)
        self.assertEqual(info['refunded_amount'], '125.50')
        self.assertEqual(info['paypal_refund_status'], 'partially_refunded')

    def test_same_refund_id_twice_is_one_refund(self):
        self._refund(self.tx, 'REF-SAME', '10.00')
        again = self._refund(self.tx, 'REF-SAME', '10.00', capture_id=self.tx.paypal_capture_id)
        self.assertEqual(again['result'], 'unchanged')
        self.assertEqual(len(self._refunds()), 1)

    def test_full_refund_marks_the_source_refunded_and_keeps_the_order(self):
        self._refund(self.tx, 'REF-ALL', self.money(self.tx.amount))
        self.assertEqual(self.tx.paypal_refund_status, 'refunded')
        self.assertEqual(self.tx.state, 'done')
        self.assertEqual(self.tx.sale_order_ids.state, 'sale')

    def test_over_refund_is_a_mismatch(self):
        self._refund(self.tx, 'REF-BIG', self.money(self.tx.amount - 5))
        answer = self._refund(self.tx, 'REF-TOO-MUCH', '5.01')
        self.assertEqual(answer['result'], 'mismatch')
        self.assertEqual(len(self._refunds()), 1)
        self.assertTrue(self.tx.paypal_needs_review)
        self.assertIn('REF-TOO-MUCH', self.tx.paypal_review_reason)

    def test_refund_in_another_currency_is_a_mismatch(self):
        answer = self.Service.paypal_bridge_register_refund(self.tx.reference, 'REF-EUR', '1.00', 'EUR', 'COMPLETED')
        self.assertEqual(answer['result'], 'mismatch')
        self.assertFalse(self._refunds())

    def test_pending_refund_then_completed(self):
        self._refund(self.tx, 'REF-PEND', '20.00', status='PENDING')
        refund = self._refunds()
        self.assertEqual(refund.state, 'pending')
        self.assertEqual(self.tx.paypal_refund_status, 'none')
        # A pending refund already reserves its amount.
        self.assertEqual(self._refund(self.tx, 'REF-REST', self.money(self.tx.amount - 19.99))['result'], 'mismatch')
        self.assertEqual(self._refund(self.tx, 'REF-PEND', '20.00')['result'], 'applied')
        self.assertEqual(refund.state, 'done')
        self.assertEqual(self.tx.paypal_refund_status, 'partially_refunded')

    def test_failed_refund_is_cancelled_and_frees_the_amount(self):
        self._refund(self.tx, 'REF-FAIL', self.money(self.tx.amount), status='PENDING')
        self._refund(self.tx, 'REF-FAIL', self.money(self.tx.amount), status='FAILED')
        self.assertEqual(self._refunds().state, 'cancel')
        self.assertEqual(self._refund(self.tx, 'REF-AGAIN', self.money(self.tx.amount))['result'], 'applied')

    def test_reversal_is_booked_like_a_refund_and_flagged_and_the_order_stays_confirmed(self):
        answer = self._refund(self.tx, 'REV-1', self.money(self.tx.amount), kind='reversal', reason='BUYER_COMPLAINT')
        self.assertEqual(answer['result'], 'applied')
        self.assertEqual(self._refunds().paypal_refund_id, 'REV-1')
        self.assertEqual(self.tx.paypal_refund_status, 'refunded')
        self.assertTrue(self.tx.paypal_needs_review)
        self.assertIn('BUYER_COMPLAINT', self.tx.paypal_review_reason)
        self.assertEqual(self.tx.sale_order_ids.state, 'sale')
        again = self._refund(self.tx, 'REV-1', self.money(self.tx.amount), kind='reversal', reason='BUYER_COMPLAINT')
        self.assertEqual(again['result'], 'unchanged')

    def test_refund_of_an_unknown_capture_waits(self):
        with self.assertRaises(MissingError):
            self._refund(self.tx, 'REF-X', '1.00', capture_id='CAP-NOT-BOOKED')
        tx = self._create_order_tx()
        with self.assertRaises(MissingError):
            self._refund(tx, 'REF-Y', '1.00')

    def test_refund_of_a_partial_capture_goes_under_that_capture(self):
        tx = self._create_order_tx()
        self.Service.paypal_bridge_apply_payment(tx.reference, 'authorized', {'authorization_id': 'AUTH-R'})
        self.Service.paypal_bridge_register_capture(tx.reference, 'CAP-R1', '100.00', tx.currency_id.name, 'COMPLETED')
        self.Service.paypal_bridge_register_capture(tx.reference, 'CAP-R2', '200.00', tx.currency_id.name, 'COMPLETED')
        capture = tx.child_transaction_ids.filtered(lambda c: c.paypal_capture_id == 'CAP-R2')
        answer = self._refund(tx, 'REF-R2', '50.00', capture_id='CAP-R2')
        self.assertEqual(answer['tx']['source_reference'], capture.reference)
        self.assertEqual(capture.paypal_refund_status, 'partially_refunded')
        self.assertEqual(tx.paypal_refund_status, 'partially_refunded')
        self.assertEqual(self.Service.paypal_bridge_find(reference=tx.reference)['refunded_amount'], '50.00')
        with self.assertRaises(ValidationError):  # which capture? none is given and it has two
            self._refund(tx, 'REF-R?', '1.00')

    def test_refund_of_a_payment_captured_before_the_bridge(self):
        legacy = self._create_order_tx()
        legacy.write({'state': 'done', 'provider_reference': 'LEGACY-CAP'})
        answer = self._refund(legacy, 'REF-LEGACY', '5.00', capture_id='LEGACY-CAP')
        self.assertEqual(answer['result'], 'applied')
        self.assertEqual(answer['tx']['source_reference'], legacy.reference)

    def test_amounts_use_the_currency_decimals(self):
        jpy = self.env['res.currency'].with_context(active_test=False).search([('name', '=', 'JPY')])
        self.assertEqual(format_amount(1000, jpy), '1000')
        self.assertEqual(format_amount(10, self.tx.currency_id), '10.00')
