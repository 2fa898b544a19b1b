import logging

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.fields import Command
from odoo.tools import float_round

_logger = logging.getLogger(__name__)

# A partial credit note is built line by line in proportion to the refund; the price of its
# largest line is then nudged, a few times at most, until the total is the refund to the cent.
EXACT_TOTAL_ATTEMPTS = 6


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'

    paypal_refund_kind = fields.Selection(
        string="PayPal Refund Kind", selection=[('refund', "Refund"), ('reversal', "Reversal (chargeback)")],
        readonly=True, copy=False,
        help="A refund the merchant made, or money PayPal took back for a chargeback.")
    paypal_refund_reason = fields.Char(
        string="PayPal Refund Reason", readonly=True, copy=False,
        help="The reason PayPal or the user gave for this refund; the credit note carries it.")
    paypal_credit_note_ids = fields.One2many(
        string="Credit Notes", comodel_name='account.move', inverse_name='paypal_bridge_refund_transaction_id',
        readonly=True)

    # === POST-PROCESSING === #

    def _post_process(self):
        """ Override of `account_payment`: once a PayPal refund's payment is posted, book what the
        refund means for the invoice: a credit note reconciled with the refund payment, or, for an
        order not invoiced yet, a note and an activity on the order. """
        super()._post_process()
        refunds = self.filtered(lambda tx: (
            tx.operation == 'refund' and tx.state == 'done' and tx.payment_id
            and tx.provider_code == 'paypal' and tx.provider_id.paypal_bridge_enabled
            and tx.paypal_refund_kind != 'reversal' and not tx.paypal_credit_note_ids
        ))
        for refund in refunds:
            try:
                with self.env.cr.savepoint():
                    refund._paypal_bridge_book_refund_in_invoicing()
            except Exception as error:  # noqa: BLE001 - the refund itself stays booked
                _logger.exception("PayPal Bridge: no credit note for refund %s", refund.reference)
                refund.source_transaction_id._paypal_bridge_flag_review(_(
                    "No credit note could be made for refund %(refund)s: %(error)s. Make it by hand "
                    "from the invoice and reconcile it with the refund payment.",
                    refund=refund.reference, error=error,
                ))

    def _paypal_bridge_book_refund_in_invoicing(self):
        self.ensure_one()
        source = self.source_transaction_id
        invoices = (source.invoice_ids | source.sale_order_ids.invoice_ids).filtered(
            lambda move: move.move_type == 'out_invoice' and move.state == 'posted')
        if not invoices:
            self._paypal_bridge_note_refund_without_invoice()
            return
        credit_notes = self._paypal_bridge_create_credit_notes(invoices)
        if self.provider_id.paypal_bridge_credit_note_policy == 'post':
            exact = credit_notes.filtered(lambda move: not move.paypal_bridge_needs_check)
            exact.action_post()  # account.move._post reconciles them with the refund payment
        for move in credit_notes:
            move.message_post(body=_(
                "Credit note for PayPal refund %(refund)s of %(amount)s (%(reason)s), from %(tx)s.",
                refund=self.paypal_refund_id or self.reference,
                amount=self._paypal_bridge_format(-self.amount),
                reason=self.paypal_refund_reason or _("no reason given"), tx=self.reference,
            ))
        self._log_message_on_linked_documents(_(
            "PayPal refund %(refund)s: credit note %(notes)s (%(state)s).",
            refund=self.paypal_refund_id or self.reference,
            notes=", ".join(credit_notes.mapped(lambda m: m.name if m.name and m.name != '/' else _("draft"))),
            state=", ".join(sorted(set(credit_notes.mapped('state')))),
        ))

    def _paypal_bridge_note_refund_without_invoice(self):
        """ An order refunded before it is invoiced: say so on the order, with a to-do, so that
        nobody invoices the refunded amount or leaves an open receivable without knowing. """
        self.ensure_one()
        source = self.source_transaction_id
        body = _(
            "PayPal refunded %(amount)s of this order (%(refund)s, %(reason)s) before it was invoiced. "
            "When you invoice it, invoice only what the customer keeps, or add a credit note for the "
            "refund and reconcile it with the refund payment %(payment)s.",
            amount=self._paypal_bridge_format(-self.amount), refund=self.paypal_refund_id or self.reference,
            reason=self.paypal_refund_reason or _("no reason given"), payment=self.payment_id.name,
        )
        # Authored by OdooBot, as the dispute's news: the service's user has no e-mail address.
        orders = source.sale_order_ids.with_user(SUPERUSER_ID)
        for order in orders:
            order.message_post(body=body)
            user = self.env['payment.provider']._paypal_bridge_responsible(order, source.provider_id, source.company_id)
            if user:
                order.activity_schedule(
                    'mail.mail_activity_data_todo', user_id=user.id,
                    summary=_("Invoice PayPal-refunded order %s", order.name), note=body)
        if not orders:
            source._paypal_bridge_flag_review(body)

    def _paypal_bridge_format(self, amount):
        return f"{self.currency_id.round(amount):.{self.currency_id.decimal_places}f} {self.currency_id.name}"

    def _paypal_bridge_create_credit_notes(self, invoices):
        """ One credit note per invoice for this refund: the whole invoice when the refund covers
        all that the invoices still carry, else every line in proportion (so taxes are reversed in
        proportion), with a total equal to the refund. """
        self.ensure_one()
        currency = self.currency_id
        refund_amount = -self.amount
        total = sum(invoices.mapped('amount_total'))
        credited_before = self.source_transaction_id.child_transaction_ids.paypal_credit_note_ids.filtered(
            lambda m: m.state != 'cancel')
        ratio = refund_amount / total if total else 0.0
        # The whole invoice, line for line, when nothing was credited before and the refund is all.
        full = not credited_before and currency.compare_amounts(refund_amount, total) == 0
        reason = _("PayPal refund %(refund)s: %(reason)s", refund=self.paypal_refund_id or self.reference,
                   reason=self.paypal_refund_reason or _("no reason given"))
        moves = self.env['account.move']
        left = refund_amount
        ordered = invoices.sorted('amount_total')
        for index, invoice in enumerate(ordered):
            last = index == len(ordered) - 1
            target = left if last else currency.round(invoice.amount_total * ratio)
            left -= target
            lines = [
                self._paypal_bridge_credit_line(line, 1.0 if full else ratio)
                for line in invoice.invoice_line_ids.filtered(lambda l: l.display_type == 'product')
            ]
            move = self.env['account.move'].with_company(invoice.company_id).create({
                'move_type': 'out_refund',
                'partner_id': invoice.partner_id.id,
                'currency_id': invoice.currency_id.id,
                'journal_id': invoice.journal_id.id,
                'fiscal_position_id': invoice.fiscal_position_id.id,
                'invoice_date': fields.Date.context_today(self),
                'reversed_entry_id': invoice.id,
                'invoice_origin': invoice.name,
                'ref': reason,
                'paypal_bridge_refund_transaction_id': self.id,
                'invoice_line_ids': [Command.create(values) for values in lines],
            })
            if not full:
                move._paypal_bridge_make_total(target)
            moves |= move
        for move in moves.filtered('paypal_bridge_needs_check'):
            self.source_transaction_id._paypal_bridge_flag_review(_(
                "Credit note of refund %(refund)s left in draft: %(why)s",
                refund=self.reference, why=move.paypal_bridge_needs_check))
        return moves

    @api.model
    def _paypal_bridge_credit_line(self, line, ratio):
        """ The credit note line of an invoice line: the same line for a full refund; for a
        partial one, quantity one at `ratio` of the line's amount (a refund of money is no return
        of goods, so the sale order's invoiced quantities are left alone). """
        values = {
            'product_id': line.product_id.id,
            'account_id': line.account_id.id,
            'tax_ids': [Command.set(line.tax_ids.ids)],
            'analytic_distribution': line.analytic_distribution,
            'product_uom_id': line.product_uom_id.id,
        }
        if ratio == 1.0:
            return {**values, 'name': line.name, 'quantity': line.quantity, 'price_unit': line.price_unit,
                    'discount': line.discount}
        price_digits = self.env['decimal.precision'].precision_get('Product Price')
        included = line.tax_ids and all(line.tax_ids.mapped('price_include'))
        base = line.price_total if included else line.price_subtotal
        return {
            **values,
            'name': _("%(line)s (refund of %(percent)s %%)", line=line.name or line.product_id.display_name,
                      percent=float_round(ratio * 100, 2)),
            'quantity': 1.0,
            'price_unit': float_round(base * ratio, price_digits),
            'discount': 0.0,
        }


class AccountMove(models.Model):
    _inherit = 'account.move'

    paypal_bridge_refund_transaction_id = fields.Many2one(
        string="PayPal Refund", comodel_name='payment.transaction', readonly=True, copy=False,
        index='btree_not_null', help="The PayPal refund this credit note books.")
    paypal_bridge_needs_check = fields.Char(
        string="PayPal Check", readonly=True, copy=False,
        help="Why this credit note was left in draft for a person to check.")

    def _paypal_bridge_make_total(self, target):
        """ Nudge the largest line's price until the total is `target` to the cent; else leave the
        credit note in draft with a note saying by how much it differs. """
        self.ensure_one()
        currency = self.currency_id
        price_digits = self.env['decimal.precision'].precision_get('Product Price')
        lines = self.invoice_line_ids.filtered(lambda l: l.display_type == 'product')
        if not lines:
            self.paypal_bridge_needs_check = _("The invoice has no product line to credit.")
            return
        line = max(lines, key=lambda l: abs(l.price_total))
        for _attempt in range(EXACT_TOTAL_ATTEMPTS):
            difference = currency.round(target - self.amount_total)
            if currency.is_zero(difference):
                return
            factor = (line.price_total / line.price_subtotal) if line.price_subtotal else 1.0
            step = difference / factor if factor else difference
            if float_round(step, price_digits) == 0:
                step = 10 ** -price_digits if difference > 0 else -(10 ** -price_digits)
            line.price_unit = float_round(line.price_unit + step / (line.quantity or 1.0), price_digits)
        difference = currency.round(target - self.amount_total)
        if not currency.is_zero(difference):
            self.paypal_bridge_needs_check = _(
                "The total differs from the PayPal refund (%(target)s) by %(difference)s after rounding; "
                "adjust a line, then post.", target=target, difference=difference)

    def _post(self, soft=True):
        """ A PayPal refund's credit note, once posted, is reconciled with the refund payment. """
        posted = super()._post(soft=soft)
        for move in posted.filtered('paypal_bridge_refund_transaction_id'):
            move.paypal_bridge_needs_check = False
            move._paypal_bridge_reconcile_with_refund()
        return posted

    def _paypal_bridge_reconcile_with_refund(self):
        self.ensure_one()
        payment_move = self.paypal_bridge_refund_transaction_id.payment_id.move_id
        if not payment_move or payment_move.state != 'posted':
            return
        receivable = self.line_ids.filtered(lambda l: l.account_id.account_type == 'asset_receivable')
        lines = (receivable | payment_move.line_ids).filtered(
            lambda l: l.account_id in receivable.account_id and not l.reconciled)
        if lines.filtered(lambda l: l.balance > 0) and lines.filtered(lambda l: l.balance < 0):
            lines.reconcile()
