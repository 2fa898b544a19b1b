"""Reconciliation entry points for the PayPal Bridge service: Odoo's PayPal transactions read in
bulk for the comparison with PayPal's Transaction Search, PayPal's fees booked to the fee account
of the provider, and payments removed from Odoo's books put back. The contract is in
odoo_addon/README.md ("Reconciliation")."""
import logging
from datetime import timedelta

from odoo import _, api, models
from odoo.exceptions import MissingError, UserError, ValidationError
from odoo.fields import Command
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.paypal_bridge.utils import (
    check_amount_precision, format_amount, format_datetime, parse_amount, parse_datetime,
)

_logger = logging.getLogger(__name__)

RECONCILE_MAX_LIMIT = 5000
# account.payment states of a posted payment (18.0: in_process until matched, then paid).
POSTED_PAYMENT_STATES = ('in_process', 'paid')


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'

    def init(self):
        super().init()
        # reconcile_data pages through one month's PayPal transactions by (last_state_change, id).
        self.env.cr.execute(SQL(
            "CREATE INDEX IF NOT EXISTS payment_transaction_paypal_bridge_reconcile_idx "
            "ON payment_transaction (last_state_change, id) "
            "WHERE paypal_capture_id IS NOT NULL OR paypal_refund_id IS NOT NULL"
        ))

    # === RPC ENTRY POINTS === #

    @api.model
    def paypal_bridge_reconcile_data(
        self, date_from=None, date_to=None, after_id=0, limit=1000, capture_ids=None, refund_ids=None,
        references=None, order_names=None, **unknown,
    ):
        """ PayPal transactions holding a capture or refund id whose last state change is in
        [date_from, date_to), by id, `limit` at a time after `after_id`; or, given ids, references
        or sale order names instead of dates, the transactions they name (whatever their date). """
        self._paypal_bridge_check_caller(unknown)
        lists = {
            'capture_ids': self._paypal_bridge_check_id_list(capture_ids, 'capture_ids'),
            'refund_ids': self._paypal_bridge_check_id_list(refund_ids, 'refund_ids'),
            'references': self._paypal_bridge_check_id_list(references, 'references'),
            'order_names': self._paypal_bridge_check_id_list(order_names, 'order_names'),
        }
        looked_up = sum(len(values) for values in lists.values())
        ranged = date_from not in (None, False) or date_to not in (None, False)
        if looked_up and ranged:
            raise ValidationError(_("Give either date_from and date_to, or ids to look up (capture_ids, "
                                    "refund_ids, references, order_names), not both."))
        transactions = self.sudo()
        paypal = [('provider_id.code', '=', 'paypal')]
        if looked_up:
            if looked_up > RECONCILE_MAX_LIMIT:
                raise ValidationError(_("At most %(max)s ids per lookup, got %(count)s.",
                                        max=RECONCILE_MAX_LIMIT, count=looked_up))
            fields_by_list = {
                'capture_ids': 'paypal_capture_id', 'refund_ids': 'paypal_refund_id',
                'references': 'reference', 'order_names': 'sale_order_ids.name',
            }
            domain = expression.OR([
                [(fields_by_list[name], 'in', values)] for name, values in lists.items() if values
            ])
            found = transactions.search(expression.AND([paypal, domain]), order='id')
            return {'records': found._paypal_bridge_reconcile_records(), 'next_after_id': False}

        if date_from in (None, False) or date_to in (None, False):
            raise ValidationError(_("date_from and date_to are required (or ids to look up)."))
        start = parse_datetime(self.env, date_from, 'date_from')
        end = parse_datetime(self.env, date_to, 'date_to')
        if not start < end:
            raise ValidationError(_("date_from must be before date_to."))
        after_id = self._paypal_bridge_check_whole(after_id, 'after_id', 0, 2**31 - 1)
        limit = self._paypal_bridge_check_whole(limit, 'limit', 1, RECONCILE_MAX_LIMIT)
        page = transactions.search(paypal + [
            '|', ('paypal_capture_id', '!=', False), ('paypal_refund_id', '!=', False),
            ('last_state_change', '>=', start), ('last_state_change', '<', end), ('id', '>', after_id),
        ], order='id', limit=limit)
        return {
            'records': page._paypal_bridge_reconcile_records(),
            'next_after_id': page[-1].id if len(page) == limit else False,
        }

    @api.model
    def paypal_bridge_book_fee(self, reference=None, fee=None, currency=None, capture_id=None, **unknown):
        """ Book PayPal's fee on a capture: a journal entry moving it from the account of the
        provider's journal to the provider's fee account, once per capture id. """
        self._paypal_bridge_check_caller(unknown)
        return self._paypal_bridge_rpc('_paypal_bridge_rpc_book_fee', reference, fee, currency, capture_id)

    @api.model
    def paypal_bridge_repost_payment(self, reference=None, **unknown):
        """ Put a done PayPal transaction's payment back in the books: post it when it was reset
        to draft, make a new one when it was cancelled or deleted. """
        self._paypal_bridge_check_caller(unknown)
        return self._paypal_bridge_rpc('_paypal_bridge_rpc_repost_payment', reference)

    # === HELPERS === #

    @api.model
    def _paypal_bridge_check_id_list(self, values, label):
        if values in (None, False):
            return []
        if not isinstance(values, list):
            raise ValidationError(_("%(label)s must be a list of strings, got %(value)r.", label=label, value=values))
        return [self._paypal_bridge_check_id(value, label) for value in values]

    @api.model
    def _paypal_bridge_check_whole(self, value, label, low, high):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError(_("%(label)s must be a whole number from %(low)s to %(high)s, got %(value)r.",
                                    label=label, low=low, high=high, value=value))
        return value

    def _paypal_bridge_fee_moves(self):
        """ The posted fee entries of these transactions' captures, by capture id. """
        captures = [capture for capture in self.mapped('paypal_capture_id') if capture]
        if not captures:
            return {}
        moves = self.env['account.move'].sudo().search([
            ('paypal_bridge_fee_capture_id', 'in', captures), ('state', '=', 'posted'),
        ])
        return {move.paypal_bridge_fee_capture_id: move for move in moves}

    def _paypal_bridge_reconcile_records(self):
        moves = self._paypal_bridge_fee_moves()
        records = []
        for tx in self:
            currency = tx.currency_id
            move = moves.get(tx.paypal_capture_id) if tx.paypal_capture_id else None
            if move and move.paypal_bridge_fee_transaction_id != tx:
                move = None
            records.append({
                'id': tx.id,
                'reference': tx.reference,
                'state': tx.state,
                'operation': tx.operation or False,
                'amount': format_amount(abs(tx.amount), currency),
                'currency': currency.name,
                'paypal_order_id': tx.paypal_order_id or False,
                'paypal_capture_id': tx.paypal_capture_id or False,
                'paypal_refund_id': tx.paypal_refund_id or False,
                'source_reference': tx.source_transaction_id.reference or False,
                'sale_order_names': tx.sale_order_ids.mapped('name'),
                'paypal_fee': format_amount(abs(tx.paypal_fee), currency),
                'fee_booked': format_amount(move.paypal_bridge_fee_amount, currency) if move else False,
                'fee_move_id': move.id if move else False,
                'fee_account_set': bool(tx.provider_id.paypal_bridge_fee_account_id),
                'payment_id': tx.payment_id.id or False,
                'payment_state': tx.payment_id.state or False,
                'last_state_change': format_datetime(tx.last_state_change),
                'paypal_needs_review': tx.paypal_needs_review,
            })
        return records

    def _paypal_bridge_rpc_book_fee(self, reference, fee, currency, capture_id):
        reference = self._paypal_bridge_check_id(reference, 'reference')
        capture_id = self._paypal_bridge_check_id(capture_id, 'capture_id')
        self._paypal_bridge_check_currency(currency)
        amount = parse_amount(self.env, fee, 'fee')
        tx = self._paypal_bridge_get(reference)
        if tx.paypal_capture_id != capture_id:
            raise ValidationError(_("PayPal capture %(capture)s is not the capture of %(ref)s (it holds %(held)s).",
                                    capture=capture_id, ref=reference, held=tx.paypal_capture_id or _("none")))
        if tx.state != 'done':
            raise MissingError(_("The PayPal capture of %s is not confirmed in Odoo yet; book the capture "
                                 "before its fee.", reference))
        result, move = tx._paypal_bridge_book_fee(amount, currency, capture_id)
        return {
            'result': result,
            'move_id': move.id if move else False,
            'fee_booked': format_amount(move.paypal_bridge_fee_amount, tx.currency_id) if move else False,
            'tx': tx._paypal_bridge_tx_info(),
        }

    def _paypal_bridge_rpc_repost_payment(self, reference):
        tx = self._paypal_bridge_get(reference)
        if not (tx.paypal_capture_id or tx.paypal_refund_id):
            raise ValidationError(_("%s holds no PayPal capture or refund: it has no PayPal money to book.", tx.reference))
        if tx.state != 'done':
            raise MissingError(_("%(ref)s is %(state)s, not done: Odoo books a payment once the transaction is "
                                 "confirmed.", ref=tx.reference, state=tx.state))
        tx._paypal_bridge_lock()
        current = tx.payment_id
        if current.state in POSTED_PAYMENT_STATES:
            return {'result': 'unchanged', 'payment_id': current.id, 'payment_state': current.state,
                    'tx': tx._paypal_bridge_tx_info()}
        before = _("in draft") if current.state == 'draft' else current.state if current else _("deleted")
        if current.state == 'draft':
            current.action_post()
            payment = current
        else:
            payment = tx.with_company(tx.company_id)._create_payment()
        tx._log_message_on_linked_documents(_(
            "PayPal Bridge reconciliation: the payment of %(ref)s was %(before)s although PayPal holds the "
            "money; %(payment)s is posted.", ref=tx.reference, before=before, payment=payment.name,
        ))
        _logger.info("PayPal Bridge: payment of %s re-posted (%s, was %s)", tx.reference, payment.name, before)
        return {'result': 'applied', 'payment_id': payment.id, 'payment_state': payment.state,
                'tx': tx._paypal_bridge_tx_info()}

    def _paypal_bridge_book_fee(self, amount, currency, capture_id):
        """ Return (result, fee entry or None) for `amount` (a Decimal in the transaction's currency). """
        self.ensure_one()
        if currency != self.currency_id.name:
            self._paypal_bridge_flag_review(_("PayPal fee of capture %(capture)s is in %(paypal)s, the payment "
                                              "in %(odoo)s; nothing booked.", capture=capture_id,
                                              paypal=currency, odoo=self.currency_id.name))
            return 'mismatch', None
        check_amount_precision(amount, self.currency_id, 'fee')
        self._paypal_bridge_lock()
        Move = self.env['account.move'].sudo()
        existing = Move.search([('paypal_bridge_fee_capture_id', '=', capture_id)], limit=1)
        if existing and existing.state == 'cancel':
            # A cancelled fee entry books nothing: it gives its capture id up for a new one.
            existing.paypal_bridge_fee_capture_id = False
            existing.statement_line_id.paypal_bridge_ledger_key = False
            existing.flush_recordset(['paypal_bridge_fee_capture_id'])  # before the new entry's INSERTs
            existing.statement_line_id.flush_recordset(['paypal_bridge_ledger_key'])
            existing = Move
        if existing:
            result = 'unchanged'
            if existing.state == 'draft':
                existing.action_post()
                result = 'applied'
            if self.currency_id.compare_amounts(float(amount), existing.paypal_bridge_fee_amount):
                self._paypal_bridge_flag_review(_(
                    "PayPal fee of capture %(capture)s reads %(fee)s %(currency)s; Odoo booked %(booked)s.",
                    capture=capture_id, fee=amount, currency=currency,
                    booked=format_amount(existing.paypal_bridge_fee_amount, self.currency_id)))
                return 'mismatch', existing
            return result, existing

        provider = self.provider_id
        fee_account = provider.paypal_bridge_fee_account_id
        if not fee_account:
            raise UserError(_("PayPal Bridge: set the PayPal Fee Account on the provider %s (tab PayPal Bridge) "
                              "before fees can be booked.", provider.name))
        journal = provider.journal_id
        if not journal or not journal.default_account_id:
            raise UserError(_("PayPal Bridge: the provider %s needs a journal with a default account to book "
                              "PayPal's fees.", provider.name))
        company = self.company_id
        date = self.last_state_change.date()
        # A fee of a closed period goes to the first open day, as Odoo does for late entries.
        locks = company._get_violated_lock_dates(date, False, journal)
        if locks:
            date = locks[-1][0] + timedelta(days=1)
        fee = float(amount)
        label = _("PayPal fee of capture %(capture)s (%(ref)s)", capture=capture_id, ref=self.reference)
        # The fee is a line of the PayPal journal's bank statement, as PayPal's own ledger lists it
        # (its balance moves by the fee), whose counterpart is the fee account: the statement then
        # books it, once, and the journal's balance follows PayPal's. In the transaction's
        # company, whatever companies the technical user works in.
        st_line = provider._paypal_bridge_fee_line(f'fee:{capture_id}', -fee, self.currency_id, date, label)
        move = st_line.move_id
        move.with_context(skip_account_move_synchronization=True).write({
            'ref': label,
            'paypal_bridge_fee_capture_id': capture_id,
            'paypal_bridge_fee_transaction_id': self.id,
            'paypal_bridge_fee_amount': fee,
        })
        if self.currency_id.is_zero(self.paypal_fee):
            self.paypal_fee = fee
        _logger.info("PayPal Bridge: fee %s %s of capture %s booked (%s)", amount, currency, capture_id, move.name)
        return 'applied', move
