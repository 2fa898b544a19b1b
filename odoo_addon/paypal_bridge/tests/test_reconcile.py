from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.paypal_bridge.tests.common import PaypalBridgeCommon


@tagged('post_install', '-at_install')
class TestReconcile(PaypalBridgeCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fee_account = cls.env['account.account'].create({
            'name': 'PayPal fees', 'code': '626100', 'account_type': 'expense',
            'company_ids': [Command.set(cls.paypal.company_id.ids)],
        })
        # Enabling the bridge proposed the company's Bank Fees account; these tests start without
        # a fee account and set theirs where they need one.
        cls.paypal.paypal_bridge_fee_account_id = False

    def setUp(self):
        super().setUp()
        self.start = fields.Datetime.now() - timedelta(minutes=1)
        self.tx = self._create_order_tx()
        self._capture(self.tx, f'CAP-REC-{self.tx.id}', fee='4.50')

    def _range(self, **kwargs):
        end = fields.Datetime.now() + timedelta(minutes=1)
        return self.Service.paypal_bridge_reconcile_data(
            date_from=self.start.isoformat() + 'Z', date_to=end.isoformat() + 'Z', **kwargs)

    def _book_fee(self, fee='4.50', tx=None, capture_id=None, currency=None):
        tx = tx or self.tx
        return self.Service.paypal_bridge_book_fee(
            tx.reference, fee, currency or tx.currency_id.name, capture_id or tx.paypal_capture_id)

    # === reconcile_data === #

    def test_range_lists_captures_and_refunds_with_positive_amounts(self):
        self._refund(self.tx, f'REF-REC-{self.tx.id}', '25.00')
        untouched = self._create_order_tx()  # no PayPal id: nothing PayPal could report
        page = self._range()
        self.assertIs(page['next_after_id'], False)
        by_ref = {r['reference']: r for r in page['records']}
        self.assertNotIn(untouched.reference, by_ref)
        capture = by_ref[self.tx.reference]
        self.assertEqual(capture['paypal_capture_id'], self.tx.paypal_capture_id)
        self.assertEqual((capture['state'], capture['amount'], capture['currency']), ('done', self.money(self.tx.amount), 'USD'))
        self.assertEqual(capture['paypal_fee'], '4.50')
        self.assertIs(capture['fee_booked'], False)
        self.assertIs(capture['fee_account_set'], False)
        self.assertEqual(capture['sale_order_names'], self.tx.sale_order_ids.mapped('name'))
        self.assertTrue(capture['last_state_change'].endswith('Z'))
        refund = self.tx.child_transaction_ids
        refund_record = by_ref[refund.reference]
        self.assertEqual((refund_record['operation'], refund_record['amount']), ('refund', '25.00'))
        self.assertEqual(refund_record['paypal_refund_id'], f'REF-REC-{self.tx.id}')
        self.assertEqual(refund_record['source_reference'], self.tx.reference)

    def test_range_pages_by_id_and_respects_the_dates(self):
        other = self._create_order_tx()
        self._capture(other, f'CAP-REC-{other.id}')
        first = self._range(limit=1)
        self.assertEqual(len(first['records']), 1)
        self.assertEqual(first['next_after_id'], first['records'][0]['id'])
        second = self._range(limit=1, after_id=first['next_after_id'])
        self.assertEqual(len(second['records']), 1)
        self.assertGreater(second['records'][0]['id'], first['records'][0]['id'])
        later = (fields.Datetime.now() + timedelta(hours=1)).isoformat() + 'Z'
        much_later = (fields.Datetime.now() + timedelta(hours=2)).isoformat() + 'Z'
        self.assertEqual(self.Service.paypal_bridge_reconcile_data(date_from=later, date_to=much_later)['records'], [])

    def test_lookup_by_ids_references_and_order_names(self):
        refund_id = f'REF-LOOK-{self.tx.id}'
        self._refund(self.tx, refund_id, '1.00')
        by_capture = self.Service.paypal_bridge_reconcile_data(capture_ids=[self.tx.paypal_capture_id])
        self.assertEqual([r['reference'] for r in by_capture['records']], [self.tx.reference])
        by_refund = self.Service.paypal_bridge_reconcile_data(refund_ids=[refund_id])
        self.assertEqual(by_refund['records'][0]['paypal_refund_id'], refund_id)
        draft = self._create_order_tx()
        by_reference = self.Service.paypal_bridge_reconcile_data(references=[draft.reference])
        self.assertEqual([(r['reference'], r['state']) for r in by_reference['records']], [(draft.reference, 'draft')])
        by_order = self.Service.paypal_bridge_reconcile_data(order_names=draft.sale_order_ids.mapped('name'))
        self.assertEqual([r['id'] for r in by_order['records']], [draft.id])
        self.assertEqual(self.Service.paypal_bridge_reconcile_data(capture_ids=['UNKNOWN'])['records'], [])

    def test_arguments_are_checked(self):
        now = fields.Datetime.now().isoformat() + 'Z'
        for kwargs in (
            {},
            {'date_from': now},
            {'date_from': now, 'date_to': now},
            {'date_from': 'yesterday', 'date_to': now},
            {'date_from': self.start.isoformat(), 'date_to': now, 'limit': 0},
            {'date_from': self.start.isoformat(), 'date_to': now, 'limit': 5001},
            {'date_from': self.start.isoformat(), 'date_to': now, 'after_id': -1},
            {'date_from': self.start.isoformat(), 'date_to': now, 'capture_ids': ['X']},
            {'capture_ids': 'X'},
            {'capture_ids': ['']},
            {'references': ['R'] * 5001},
            {'date_from': self.start.isoformat(), 'date_to': now, 'colour': 'blue'},
        ):
            with self.subTest(kwargs=kwargs), self.assertRaises(ValidationError):
                self.Service.paypal_bridge_reconcile_data(**kwargs)

    @mute_logger('odoo.addons.base.models.ir_model', 'odoo.addons.base.models.ir_rule')
    def test_only_the_service_may_call(self):
        for user in (self.env.ref('base.user_admin'), self.accountant, self.internal_user):
            with self.subTest(user=user.login):
                Tx = self.env['payment.transaction'].with_user(user)
                with self.assertRaises(AccessError):
                    Tx.paypal_bridge_reconcile_data(capture_ids=['X'])
                with self.assertRaises(AccessError):
                    Tx.paypal_bridge_book_fee(self.tx.reference, '1.00', 'USD', self.tx.paypal_capture_id)

    # === book_fee === #

    def test_fee_needs_the_fee_account(self):
        self.paypal.paypal_bridge_fee_account_id = False
        with self.assertRaisesRegex(UserError, 'PayPal Fee Account'):
            self._book_fee()

    def test_fee_entry_moves_the_fee_from_the_journal_to_the_fee_account_once(self):
        self.paypal.paypal_bridge_fee_account_id = self.fee_account
        answer = self._book_fee('4.50')
        self.assertEqual(answer['result'], 'applied')
        self.assertEqual(answer['fee_booked'], '4.50')
        move = self.env['account.move'].browse(answer['move_id'])
        self.assertEqual(move.state, 'posted')
        self.assertEqual(move.journal_id, self.paypal.journal_id)
        self.assertEqual(move.paypal_bridge_fee_capture_id, self.tx.paypal_capture_id)
        debit = move.line_ids.filtered(lambda line: line.debit)
        credit = move.line_ids.filtered(lambda line: line.credit)
        self.assertEqual((debit.account_id, debit.debit), (self.fee_account, 4.5))
        self.assertEqual((credit.account_id, credit.credit), (self.paypal.journal_id.default_account_id, 4.5))
        # A line of the PayPal journal's statement, as in PayPal's ledger, fully booked (no suspense).
        st_line = move.statement_line_id
        self.assertEqual((st_line.amount, st_line.journal_id), (-4.5, self.paypal.journal_id))
        self.assertEqual(st_line.paypal_bridge_ledger_key, f'fee:{self.tx.paypal_capture_id}')
        self.assertTrue(st_line.is_reconciled)
        suspense = self.paypal.journal_id.suspense_account_id
        self.assertFalse(move.line_ids.filtered(lambda line: line.account_id == suspense))

        again = self._book_fee('4.50')
        self.assertEqual((again['result'], again['move_id']), ('unchanged', move.id))
        self.assertEqual(self.env['account.move'].search_count([('paypal_bridge_fee_capture_id', '=', self.tx.paypal_capture_id)]), 1)
        record = self.Service.paypal_bridge_reconcile_data(capture_ids=[self.tx.paypal_capture_id])['records'][0]
        self.assertEqual((record['fee_booked'], record['fee_move_id'], record['fee_account_set']), ('4.50', move.id, True))

    def test_fee_of_another_amount_or_currency_is_a_mismatch(self):
        self.paypal.paypal_bridge_fee_account_id = self.fee_account
        self._book_fee('4.50')
        answer = self._book_fee('4.51')
        self.assertEqual(answer['result'], 'mismatch')
        self.assertTrue(self.tx.paypal_needs_review)
        self.assertIn('4.51', self.tx.paypal_review_reason)
        other = self._create_order_tx()
        self._capture(other, f'CAP-EUR-{other.id}')
        self.assertEqual(self._book_fee('1.00', tx=other, currency='EUR')['result'], 'mismatch')
        self.assertFalse(self.env['account.move'].search([('paypal_bridge_fee_capture_id', '=', other.paypal_capture_id)]))

    def test_fee_needs_the_capture_of_that_transaction_confirmed(self):
        self.paypal.paypal_bridge_fee_account_id = self.fee_account
        with self.assertRaises(ValidationError):
            self._book_fee(capture_id='CAP-OF-SOMEONE-ELSE')
        with self.assertRaises(ValidationError):
            self._book_fee('0')
        with self.assertRaises(ValidationError):
            self._book_fee('4.505')
        pending = self._create_order_tx()
        self.Service.paypal_bridge_apply_payment(pending.reference, 'pending', {'capture_id': f'CAP-PEND-{pending.id}'})
        with self.assertRaises(MissingError):
            self._book_fee(tx=pending)

    def test_a_cancelled_fee_entry_can_be_booked_again(self):
        self.paypal.paypal_bridge_fee_account_id = self.fee_account
        first = self.env['account.move'].browse(self._book_fee()['move_id'])
        first.button_cancel()
        record = self.Service.paypal_bridge_reconcile_data(capture_ids=[self.tx.paypal_capture_id])['records'][0]
        self.assertIs(record['fee_booked'], False)
        again = self._book_fee()
        self.assertEqual(again['result'], 'applied')
        self.assertNotEqual(again['move_id'], first.id)

    # === repost_payment === #

    def test_a_payment_removed_from_the_books_is_put_back(self):
        payment = self.tx.payment_id
        self.assertEqual(payment.state, 'in_process')
        record = self.Service.paypal_bridge_reconcile_data(capture_ids=[self.tx.paypal_capture_id])['records'][0]
        self.assertEqual((record['payment_id'], record['payment_state']), (payment.id, 'in_process'))
        self.assertEqual(self.Service.paypal_bridge_repost_payment(self.tx.reference)['result'], 'unchanged')

        payment.action_draft()
        answer = self.Service.paypal_bridge_repost_payment(self.tx.reference)
        self.assertEqual((answer['result'], answer['payment_id'], answer['payment_state']), ('applied', payment.id, 'in_process'))

        payment.action_cancel()
        answer = self.Service.paypal_bridge_repost_payment(self.tx.reference)
        self.assertEqual(answer['result'], 'applied')
        self.assertNotEqual(answer['payment_id'], payment.id)
        self.assertEqual(self.tx.payment_id.id, answer['payment_id'])
        self.assertEqual((self.tx.payment_id.state, self.tx.payment_id.amount), ('in_process', self.tx.amount))

        self.tx.payment_id.action_draft()
        self.tx.payment_id.unlink()
        self.assertFalse(self.tx.payment_id)
        record = self.Service.paypal_bridge_reconcile_data(capture_ids=[self.tx.paypal_capture_id])['records'][0]
        self.assertEqual((record['payment_id'], record['payment_state']), (False, False))
        answer = self.Service.paypal_bridge_repost_payment(self.tx.reference)
        self.assertEqual((answer['result'], answer['payment_state']), ('applied', 'in_process'))
        self.assertTrue(self.tx.payment_id)

    def test_repost_needs_a_done_paypal_transaction(self):
        draft = self._create_order_tx()
        with self.assertRaises(ValidationError):
            self.Service.paypal_bridge_repost_payment(draft.reference)
        pending = self._create_order_tx()
        self.Service.paypal_bridge_apply_payment(pending.reference, 'pending', {'capture_id': f'CAP-RP-{pending.id}'})
        with self.assertRaises(MissingError):
            self.Service.paypal_bridge_repost_payment(pending.reference)
        with self.assertRaises(MissingError):
            self.Service.paypal_bridge_repost_payment('NO-SUCH-REFERENCE')
