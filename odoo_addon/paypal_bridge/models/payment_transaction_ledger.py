"""PayPal's ledger (Transaction Search) as bank statement lines of the PayPal journal, matched the
way Odoo's bank reconciliation matches them: the statement line's counterpart takes the payment's
outstanding account and the two lines are reconciled, so the payment becomes paid and the journal
follows PayPal's balance. The contract is in odoo_addon/README.md ("Ledger import")."""
import logging
import re
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.paypal_bridge.utils import check_amount_precision, format_amount, parse_datetime

_logger = logging.getLogger(__name__)

IMPORT_MAX_RECORDS = 500
LEDGER_KEYS = {'id', 'event_code', 'date', 'amount', 'fee', 'currency', 'reference', 'note'}
EVENT_CODE = re.compile(r'^T\d{4}$')


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'

    @api.model
    def paypal_bridge_import_ledger(self, records=None, **unknown):
        """ Book a page of PayPal's ledger (at most 500 records) as statement lines of the PayPal
        journal, one per PayPal transaction and one per fee, idempotent; match what belongs to an
        Odoo payment. Return one result per record, in order. """
        self._paypal_bridge_check_caller(unknown)
        if not isinstance(records, list) or not records:
            raise ValidationError(_("records must be a non-empty list of PayPal ledger records."))
        if len(records) > IMPORT_MAX_RECORDS:
            raise ValidationError(_("At most %(max)s records per call, got %(count)s.",
                                    max=IMPORT_MAX_RECORDS, count=len(records)))
        checked = [self._paypal_bridge_check_ledger_record(record, index) for index, record in enumerate(records)]
        return {'results': [self.sudo()._paypal_bridge_import_ledger_record(record) for record in checked]}

    @api.model
    def _paypal_bridge_check_ledger_record(self, record, index):
        """ The record with its values parsed; ValidationError naming the record otherwise. """
        where = _("records[%s]", index)
        if not isinstance(record, dict):
            raise ValidationError(_("%s must be an object.", where))
        unknown = set(record) - LEDGER_KEYS
        if unknown:
            raise ValidationError(_("%(where)s has unknown keys: %(keys)s.", where=where, keys=", ".join(sorted(unknown))))
        paypal_id = self._paypal_bridge_check_id(record.get('id'), f'{where}.id')
        code = record.get('event_code')
        if not isinstance(code, str) or not EVENT_CODE.match(code):
            raise ValidationError(_("%(where)s.event_code must be a PayPal event code such as \"T0006\", got %(code)r.",
                                    where=where, code=code))
        moment = parse_datetime(self.env, record.get('date'), f'{where}.date')
        if not moment:
            raise ValidationError(_("%s.date is required.", where))
        self._paypal_bridge_check_currency(record.get('currency'))
        currency = self.env['res.currency'].with_context(active_test=False).search([('name', '=', record['currency'])], limit=1)
        if not currency:
            raise ValidationError(_("%(where)s.currency %(code)s is not a currency Odoo knows.", where=where, code=record['currency']))
        amount = self._paypal_bridge_signed_amount(record.get('amount'), f'{where}.amount', currency)
        fee = self._paypal_bridge_signed_amount(record.get('fee', '0'), f'{where}.fee', currency)
        return {
            'id': paypal_id, 'event_code': code, 'moment': moment, 'amount': amount, 'fee': fee,
            'currency': currency, 'reference': record.get('reference') or False,
            'note': (record.get('note') or '')[:200],
        }

    @api.model
    def _paypal_bridge_signed_amount(self, value, label, currency):
        if not isinstance(value, str) or not re.fullmatch(r'\s*-?\d+(\.\d+)?\s*', value):
            raise ValidationError(_("%(label)s must be a signed decimal string such as \"-3.49\", got %(value)r.",
                                    label=label, value=value))
        amount = Decimal(value.strip())
        check_amount_precision(amount, currency, label)
        return float(amount)

    # === ONE RECORD === #

    def _paypal_bridge_import_ledger_record(self, record):
        """ Book one record: its gross line (matched with a payment when one is PayPal's), and its
        fee line on the fee account. """
        tx = self._paypal_bridge_ledger_transaction(record)
        provider = tx.provider_id if tx else self._paypal_bridge_ledger_provider()
        journal = provider.journal_id
        if not journal:
            raise UserError(_("PayPal Bridge: the provider %s has no journal for PayPal's ledger.", provider.name))
        company = provider.company_id
        tz = self.env.user.tz or company.partner_id.tz or 'UTC'
        date = fields.Date.context_today(self.with_context(tz=tz), record['moment'])
        label = " ".join(part for part in (
            "PayPal", record['event_code'], record['id'], tx.reference if tx else record['reference'] or '',
            record['note'],
        ) if part)
        result = {'id': record['id'], 'line_id': False, 'result': 'unchanged', 'matched': False,
                  'transaction': tx.reference if tx else False, 'reason': False, 'fee_line_id': False}
        StLine = self.env['account.bank.statement.line'].with_company(company)
        key = f"tx:{record['id']}"
        line = StLine.search([('paypal_bridge_ledger_key', '=', key)], limit=1)
        if not line and record['amount']:
            line = StLine.create({
                'journal_id': journal.id, 'date': date, 'payment_ref': label,
                'partner_id': tx.partner_id.commercial_partner_id.id if tx else False,
                'paypal_bridge_ledger_key': key,
                **provider._paypal_bridge_statement_amounts(record['currency'], record['amount'], date),
            })
            result['result'] = 'created'
        if line:
            result['line_id'] = line.id
            result['matched'], result['reason'] = self._paypal_bridge_match_line(line, tx)
        if record['fee']:
            fee_line = tx._paypal_bridge_ledger_fee(record, date) if tx else False
            result['fee_line_id'] = fee_line.id if fee_line else False
            if not fee_line and not result['reason']:
                result['reason'] = _("PayPal's fee of %s is left for a person: no Odoo payment to book it with.", record['id'])
        return result

    @api.model
    def _paypal_bridge_ledger_transaction(self, record):
        """ The Odoo transaction whose capture or refund this PayPal transaction is, if any. """
        field = 'paypal_capture_id' if record['amount'] >= 0 else 'paypal_refund_id'
        return self.search([(field, '=', record['id'])], limit=1) or self.search(
            ['|', ('paypal_capture_id', '=', record['id']), ('paypal_refund_id', '=', record['id'])], limit=1)

    @api.model
    def _paypal_bridge_ledger_provider(self):
        """ Where money that matches no Odoo transaction is booked: the bridged PayPal provider, or
        with one per company, the one of the service user's company. """
        providers = self.env['payment.provider'].sudo().search([
            ('code', '=', 'paypal'), ('paypal_bridge_enabled', '=', True)])
        if len(providers) > 1:
            providers = providers.filtered(lambda p: p.company_id == self.env.user.company_id)
        if len(providers) != 1:
            raise UserError(_("PayPal Bridge: cannot tell which PayPal provider's journal takes PayPal money that "
                              "matches no Odoo transaction (%s bridged providers).", len(providers)))
        return providers

    def _paypal_bridge_match_line(self, line, tx):
        """ Reconcile a statement line with the outstanding line of `tx`'s payment, as Odoo's bank
        reconciliation does. Return (matched, reason it is not). """
        no_sync = line.with_context(skip_account_move_synchronization=True)
        _liquidity, suspense, other = no_sync._seek_for_lines()
        if not suspense and all(l.reconciled or not l.account_id.reconcile for l in other):
            return True, False
        if not tx:
            return False, _("No Odoo transaction holds this PayPal transaction: the money needs a person.")
        payment = tx.payment_id
        if not payment or payment.state not in ('in_process', 'paid'):
            return False, _("%(ref)s has no posted payment (%(state)s).", ref=tx.reference,
                            state=payment.state if payment else _("none"))
        outstanding, _counterpart, _writeoff = payment._seek_for_lines()
        outstanding = outstanding.filtered(lambda l: not l.reconciled)
        if not outstanding:
            return False, _("The payment %s is already matched with another line.", payment.name)
        # The counterpart still in suspense, or, for a line matched before with a payment that was
        # cancelled since (its reconciliation undone), still on the outstanding account.
        suspense = (suspense | other).filtered(lambda l: not l.reconciled and (
            l.account_id == line.journal_id.suspense_account_id or l.account_id in outstanding.account_id))
        currency = line.company_id.currency_id
        if not suspense or currency.compare_amounts(sum(suspense.mapped('balance')), -sum(outstanding.mapped('balance'))):
            return False, _("The amount differs from the payment %(payment)s (%(amount)s).", payment=payment.name,
                            amount=format_amount(payment.amount, payment.currency_id))
        suspense.with_context(skip_account_move_synchronization=True).account_id = outstanding.account_id
        (suspense | outstanding).reconcile()
        return True, False

    def _paypal_bridge_ledger_fee(self, record, date):
        """ The fee line of a capture (booked once, with the capture's fee entry) or of a refund
        (the part of the fee PayPal gives back). """
        self.ensure_one()
        fee = record['fee']
        if not self.provider_id.paypal_bridge_fee_account_id:
            return False
        if self.paypal_capture_id == record['id'] and fee < 0:
            result, move = self._paypal_bridge_book_fee(
                self._paypal_bridge_decimal(-fee), record['currency'].name, record['id'])
            return move.statement_line_id if move and result != 'mismatch' else False
        key = f"fee:{record['id']}"
        existing = self.env['account.bank.statement.line'].search([('paypal_bridge_ledger_key', '=', key)], limit=1)
        return existing or self.provider_id._paypal_bridge_fee_line(
            key, fee, record['currency'], date, _("PayPal fee of %(id)s (%(ref)s)", id=record['id'], ref=self.reference))

    def _paypal_bridge_decimal(self, amount):
        return Decimal(format_amount(amount, self.currency_id))
