from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.paypal_bridge.tests.common import PaypalBridgeCommon


@tagged('post_install', '-at_install')
class TestCreditNotes(PaypalBridgeCommon):
    """ What a PayPal refund does to the books: the credit note an accountant expects. """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax = cls.env['account.tax'].create({
            'name': "PayPal Bridge test VAT 21%", 'amount': 21.0, 'amount_type': 'percent',
            'type_tax_use': 'sale', 'company_id': cls.paypal.company_id.id,
        })
        cls.product_a = cls.env['product.product'].create({
            'name': "Desk lamp", 'list_price': 37.0, 'taxes_id': [Command.set(cls.tax.ids)],
            'invoice_policy': 'order',
        })
        cls.product_b = cls.env['product.product'].create({
            'name': "Bulb", 'list_price': 3.33, 'taxes_id': [Command.set(cls.tax.ids)],
            'invoice_policy': 'order',
        })

    def setUp(self):
        super().setUp()
        self.env['ir.config_parameter'].sudo().set_param('sale.automatic_invoice', True)

    def _paid_order(self, invoiced=True):
        """ A sale order paid through PayPal; with automatic invoicing on, Odoo invoices it and the
        payment pays the invoice. """
        self.env['ir.config_parameter'].sudo().set_param('sale.automatic_invoice', invoiced)
        order = self.env['sale.order'].create({
            'partner_id': self.partner.id,
            'order_line': [
                Command.create({'product_id': self.product_a.id, 'product_uom_qty': 2}),
                Command.create({'product_id': self.product_b.id, 'product_uom_qty': 3}),
            ],
        })
        tx = self._create_transaction('direct', reference=order.name, amount=order.amount_total,
                                      currency_id=order.currency_id.id, sale_order_ids=[Command.set(order.ids)])
        self._capture(tx, f'CAP-CN-{tx.id}')
        return order, tx

    def _receivable_balance(self, order):
        """ What this order leaves on the customer's receivable: its invoices, credit notes, and the
        payments of its PayPal transaction and refunds. """
        txs = order.transaction_ids | order.transaction_ids.child_transaction_ids
        moves = order.invoice_ids | txs.paypal_credit_note_ids | txs.payment_id.move_id
        lines = moves.line_ids.filtered(lambda l: l.account_id.account_type == 'asset_receivable' and l.parent_state == 'posted')
        return sum(lines.mapped('balance'))

    def test_full_refund_reverses_the_invoice_and_settles_the_customer(self):
        order, tx = self._paid_order()
        invoice = order.invoice_ids
        self.assertEqual((invoice.state, invoice.payment_state), ('posted', 'paid'))
        self._refund(tx, f'REF-CN-{tx.id}', self.money(order.amount_total), reason='Item damaged')
        refund_tx = tx.child_transaction_ids
        credit_note = refund_tx.paypal_credit_note_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual((credit_note.move_type, credit_note.state, credit_note.reversed_entry_id),
                         ('out_refund', 'posted', invoice))
        self.assertIn('Item damaged', credit_note.ref)
        self.assertEqual(refund_tx.paypal_refund_reason, 'Item damaged')
        # Line for line the invoice: same quantities, prices and taxes.
        self.assertEqual(credit_note.invoice_line_ids.mapped(lambda l: (l.product_id, l.quantity, l.price_unit)),
                         invoice.invoice_line_ids.mapped(lambda l: (l.product_id, l.quantity, l.price_unit)))
        self.assertAlmostEqual(credit_note.amount_tax, invoice.amount_tax)
        self.assertAlmostEqual(credit_note.amount_total, invoice.amount_total)
        # Reconciled with the refund payment: nothing left open for this customer.
        self.assertEqual(credit_note.payment_state, 'paid')
        self.assertTrue(refund_tx.payment_id.is_reconciled)
        self.assertAlmostEqual(self._receivable_balance(order), 0.0)

    def test_partial_refund_reverses_lines_and_taxes_in_proportion(self):
        order, tx = self._paid_order()
        invoice = order.invoice_ids
        self._refund(tx, f'REF-CN-{tx.id}', '25.00')
        credit_note = tx.child_transaction_ids.paypal_credit_note_ids
        self.assertEqual(credit_note.state, 'posted')
        self.assertAlmostEqual(credit_note.amount_total, 25.0, places=2)
        ratio = 25.0 / invoice.amount_total
        # Taxes follow the lines: the credit note's tax is the invoice's in proportion, to the cent.
        self.assertAlmostEqual(credit_note.amount_tax, invoice.amount_tax * ratio, delta=0.02)
        self.assertEqual(len(credit_note.invoice_line_ids), len(invoice.invoice_line_ids))
        self.assertEqual(credit_note.invoice_line_ids.tax_ids, self.tax)
        # A refund of money is no return of goods: the order's invoiced quantities stay.
        self.assertEqual(order.order_line.mapped('qty_invoiced'), order.order_line.mapped('product_uom_qty'))
        self.assertFalse(credit_note.invoice_line_ids.sale_line_ids)
        self.assertTrue(tx.child_transaction_ids.payment_id.is_reconciled)
        self.assertAlmostEqual(self._receivable_balance(order), 0.0)

    def test_two_partial_refunds_credit_the_whole_invoice_between_them(self):
        order, tx = self._paid_order()
        total = order.amount_total
        self._refund(tx, f'REF-CN1-{tx.id}', '10.01')
        self._refund(tx, f'REF-CN2-{tx.id}', self.money(total - 10.01))
        notes = tx.child_transaction_ids.paypal_credit_note_ids
        self.assertEqual(len(notes), 2)
        self.assertAlmostEqual(sum(notes.mapped('amount_total')), total, places=2)
        self.assertEqual(set(notes.mapped('payment_state')), {'paid'})
        self.assertAlmostEqual(self._receivable_balance(order), 0.0)

    def test_the_same_refund_twice_makes_one_credit_note(self):
        order, tx = self._paid_order()
        self._refund(tx, f'REF-CN-{tx.id}', '12.00')
        self._refund(tx, f'REF-CN-{tx.id}', '12.00')
        self.assertEqual(len(self.env['account.move'].search([('reversed_entry_id', '=', order.invoice_ids.id)])), 1)

    def test_draft_policy_leaves_the_credit_note_for_review_then_posting_reconciles_it(self):
        self.paypal.paypal_bridge_credit_note_policy = 'draft'
        order, tx = self._paid_order()
        self._refund(tx, f'REF-CN-{tx.id}', '30.00')
        refund_tx = tx.child_transaction_ids
        credit_note = refund_tx.paypal_credit_note_ids
        self.assertEqual(credit_note.state, 'draft')
        self.assertFalse(refund_tx.payment_id.is_reconciled)
        credit_note.action_post()
        self.assertEqual(credit_note.payment_state, 'paid')
        self.assertTrue(refund_tx.payment_id.is_reconciled)

    def test_refund_of_an_order_not_invoiced_leaves_a_note_and_a_todo(self):
        order, tx = self._paid_order(invoiced=False)
        self.assertFalse(order.invoice_ids)
        self._refund(tx, f'REF-CN-{tx.id}', '15.00', reason='Late delivery')
        refund_tx = tx.child_transaction_ids
        self.assertFalse(refund_tx.paypal_credit_note_ids)
        todo = order.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref('mail.mail_activity_data_todo'))
        self.assertEqual(len(todo), 1)
        self.assertIn(order.name, todo.summary)
        self.assertTrue(any('before it was invoiced' in m.body and 'Late delivery' in m.body for m in order.message_ids))

    def test_a_reversal_waits_for_the_dispute_and_gets_no_credit_note(self):
        order, tx = self._paid_order()
        self._refund(tx, f'REV-CN-{tx.id}', '20.00', kind='reversal', reason='Chargeback')
        reversal = tx.child_transaction_ids
        self.assertEqual(reversal.paypal_refund_kind, 'reversal')
        self.assertFalse(reversal.paypal_credit_note_ids)
        self.assertTrue(tx.paypal_needs_review)
