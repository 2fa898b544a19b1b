from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.paypal_bridge.tests.common import PaypalBridgeCommon


@tagged('post_install', '-at_install')
class TestLedger(PaypalBridgeCommon):
    """ PayPal's ledger as the PayPal journal's bank statement, matched with Odoo's payments. """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fee_account = cls.paypal.paypal_bridge_fee_account_id
        cls.journal = cls.paypal.journal_id

    def setUp(self):
        super().setUp()
        self.tx = self._create_order_tx()
        self.capture_id = f'CAP-LED-{self.tx.id}'
        self._capture(self.tx, self.capture_id)
        self.when = (fields.Datetime.now() - timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')

    def _record(self, paypal_id, amount, fee='0', code='T0006', **values):
        return {'id': paypal_id, 'event_code': code, 'date': self.when, 'amount': amount, 'fee': fee,
                'currency': self.tx.currency_id.name, **values}

    def _import(self, *records):
        return self.Service.paypal_bridge_import_ledger(list(records))['results']

    def _journal_balance(self):
        lines = self.env['account.move.line'].search([
            ('account_id', '=', self.journal.default_account_id.id), ('parent_state', '=', 'posted'),
            ('move_id.statement_line_id', '!=', False),
        ])
        return sum(lines.mapped('balance'))

    def test_a_capture_is_matched_with_its_payment_and_its_fee_goes_to_the_fee_account(self):
        gross = self.money(self.tx.amount)
        [answer] = self._import(self._record(self.capture_id, gross, fee='-3.49'))
        self.assertEqual((answer['result'], answer['matched'], answer['reason']), ('created', True, False))
        line = self.env['account.bank.statement.line'].browse(answer['line_id'])
        self.assertEqual((line.journal_id, line.amount, line.is_reconciled), (self.journal, self.tx.amount, True))
        self.assertIn('T0006', line.payment_ref)
        self.assertEqual(self.tx.payment_id.state, 'paid')
        fee_line = self.env['account.bank.statement.line'].browse(answer['fee_line_id'])
        self.assertEqual((fee_line.amount, fee_line.is_reconciled), (-3.49, True))
        fee_side = fee_line.move_id.line_ids.filtered(lambda l: l.account_id == self.fee_account)
        self.assertEqual(fee_side.debit, 3.49)
        self.assertAlmostEqual(self._journal_balance(), self.tx.amount - 3.49)

        lines_before = self.env['account.bank.statement.line'].search_count([('journal_id', '=', self.journal.id)])
        [again] = self._import(self._record(self.capture_id, gross, fee='-3.49'))
        self.assertEqual((again['result'], again['line_id'], again['fee_line_id']), ('unchanged', line.id, fee_line.id))
        self.assertEqual(self.env['account.bank.statement.line'].search_count([('journal_id', '=', self.journal.id)]), lines_before)
        self.assertAlmostEqual(self._journal_balance(), self.tx.amount - 3.49)

    def test_a_fee_the_webhook_booked_is_not_booked_again(self):
        self.Service.paypal_bridge_book_fee(self.tx.reference, '2.00', self.tx.currency_id.name, self.capture_id)
        [answer] = self._import(self._record(self.capture_id, self.money(self.tx.amount), fee='-2.00'))
        fee_moves = self.env['account.move'].search([('paypal_bridge_fee_capture_id', '=', self.capture_id)])
        self.assertEqual(len(fee_moves), 1)
        self.assertEqual(answer['fee_line_id'], fee_moves.statement_line_id.id)

    def test_a_refund_is_matched_with_the_refund_payment_and_a_returned_fee_too(self):
        self._import(self._record(self.capture_id, self.money(self.tx.amount), fee='-3.49'))
        refund_id = f'REF-LED-{self.tx.id}'
        self._refund(self.tx, refund_id, '10.00')
        refund_tx = self.tx.child_transaction_ids
        [answer] = self._import(self._record(refund_id, '-10.00', fee='0.30', code='T1107'))
        self.assertTrue(answer['matched'], answer['reason'])
        self.assertEqual(refund_tx.payment_id.state, 'paid')
        fee_line = self.env['account.bank.statement.line'].browse(answer['fee_line_id'])
        self.assertEqual(fee_line.amount, 0.30)
        self.assertEqual(fee_line.move_id.line_ids.filtered(lambda l: l.account_id == self.fee_account).credit, 0.30)
        self.assertAlmostEqual(self._journal_balance(), self.tx.amount - 3.49 - 10.0 + 0.30)

    def test_a_line_whose_payment_was_cancelled_is_matched_again_with_the_reposted_payment(self):
        record = self._record(self.capture_id, self.money(self.tx.amount))
        [first] = self._import(record)
        self.assertTrue(first['matched'])
        self.tx.payment_id.action_cancel()
        [cancelled] = self._import(record)
        self.assertEqual((cancelled['result'], cancelled['matched']), ('unchanged', False))
        self.assertIn('no posted payment', cancelled['reason'])
        self.Service.paypal_bridge_repost_payment(self.tx.reference)
        [again] = self._import(record)
        self.assertEqual((again['result'], again['matched'], again['line_id']), ('unchanged', True, first['line_id']))
        self.assertEqual(self.tx.payment_id.state, 'paid')

    def test_money_that_matches_no_order_stays_open_with_its_reason(self):
        [answer] = self._import(self._record('UNKNOWN-LED-1', '12.00', fee='-0.50', code='T0000'))
        self.assertEqual((answer['result'], answer['matched']), ('created', False))
        self.assertIn('needs a person', answer['reason'])
        line = self.env['account.bank.statement.line'].browse(answer['line_id'])
        self.assertFalse(line.is_reconciled)
        self.assertFalse(answer['fee_line_id'])

    def test_an_amount_that_differs_from_the_payment_is_not_matched(self):
        [answer] = self._import(self._record(self.capture_id, self.money(self.tx.amount + 1)))
        self.assertFalse(answer['matched'])
        self.assertIn('differs', answer['reason'])
        self.assertEqual(self.tx.payment_id.state, 'in_process')

    def test_records_are_checked_and_only_the_service_may_import(self):
        good = self._record(self.capture_id, self.money(self.tx.amount))
        for bad, message in [
            ({**good, 'event_code': 'X1'}, 'event_code'),
            ({**good, 'amount': 10.0}, 'signed decimal'),
            ({**good, 'amount': '1.001'}, 'decimals'),
            ({**good, 'colour': 'red'}, 'unknown keys'),
            ({**good, 'date': 'yesterday'}, 'ISO 8601'),
        ]:
            with self.subTest(message=message), self.assertRaisesRegex(ValidationError, message):
                self._import(bad)
        with self.assertRaisesRegex(ValidationError, 'At most 500'):
            self._import(*[good] * 501)
        with self.assertRaises(AccessError):
            self.env['payment.transaction'].with_user(self.accountant).paypal_bridge_import_ledger([good])
        self.assertFalse(self.env['account.bank.statement.line'].search([('paypal_bridge_ledger_key', '=', f'tx:{self.capture_id}')]))
