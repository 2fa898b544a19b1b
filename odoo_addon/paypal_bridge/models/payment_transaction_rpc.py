"""Public entry points for the PayPal Bridge service, and the registration code they share with
Odoo's Refund/Capture/Void buttons. The contract is in odoo_addon/README.md."""
import logging

import psycopg2

from odoo import _, api, models
from odoo.exceptions import AccessError, MissingError, ValidationError

from odoo.addons.paypal_bridge.utils import (
    check_amount_precision, format_amount, format_datetime, parse_amount, parse_datetime,
)

_logger = logging.getLogger(__name__)

SERVICE_GROUP = 'paypal_bridge.group_paypal_bridge_service'

PAYMENT_STATES = ('pending', 'authorized', 'done', 'cancel', 'error')

# PayPal capture status -> Odoo state. REFUNDED/PARTIALLY_REFUNDED captures were completed first.
CAPTURE_STATES = {
    'COMPLETED': 'done',
    'PARTIALLY_REFUNDED': 'done',
    'REFUNDED': 'done',
    'PENDING': 'pending',
    'DECLINED': 'error',
    'FAILED': 'error',
    'DENIED': 'cancel',
}
REFUND_STATES = {
    'COMPLETED': 'done',
    'PENDING': 'pending',
    'FAILED': 'cancel',
    'CANCELLED': 'cancel',
}

APPLY_PAYMENT_KEYS = {
    'paypal_order_id', 'capture_id', 'authorization_id', 'authorization_expiry', 'amount',
    'currency', 'fee', 'net', 'payer_id', 'payer_email', 'status_detail', 'message', 'event_id',
}
REGISTER_CAPTURE_KEYS = {'fee', 'net', 'status_detail', 'message', 'event_id'}
REGISTER_REFUND_KEYS = {'capture_id', 'reason', 'event_id'}

MAX_ID_LENGTH = 128


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'

    # === RPC ENTRY POINTS (public: reachable over /jsonrpc) === #
    # Every argument has a default and unknown keyword arguments are collected, so that a missing
    # or misspelt argument is a ValidationError (the contract) rather than Python's TypeError.

    @api.model
    def paypal_bridge_ping(self, **unknown):
        self._paypal_bridge_check_caller(unknown)
        module = self.env['ir.module.module'].sudo().search([('name', '=', 'paypal_bridge')], limit=1)
        return {
            'ok': True,
            'module_version': module.latest_version or '',
            'uid': self.env.uid,
            'db': self.env.cr.dbname,
            'company_currency': self.env.company.currency_id.name,
        }

    @api.model
    def paypal_bridge_find(
        self, reference=None, paypal_order_id=None, capture_id=None, authorization_id=None,
        refund_id=None, **unknown,
    ):
        self._paypal_bridge_check_caller(unknown)
        keys = {
            'reference': reference, 'paypal_order_id': paypal_order_id, 'capture_id': capture_id,
            'authorization_id': authorization_id, 'refund_id': refund_id,
        }
        keys = {name: self._paypal_bridge_check_id(value, name) for name, value in keys.items() if value}
        if not keys:
            raise ValidationError(_("paypal_bridge_find needs at least one of: %s.", ", ".join(
                ('reference', 'paypal_order_id', 'capture_id', 'authorization_id', 'refund_id'))))
        tx = self.sudo()._paypal_bridge_search(**keys)
        return tx._paypal_bridge_tx_info() if tx else False

    @api.model
    def paypal_bridge_apply_payment(self, reference=None, state=None, values=None, **unknown):
        self._paypal_bridge_check_caller(unknown)
        return self._paypal_bridge_rpc('_paypal_bridge_rpc_apply_payment', reference, state, values)

    @api.model
    def paypal_bridge_register_capture(
        self, source_reference=None, capture_id=None, amount=None, currency=None, status=None,
        values=None, **unknown,
    ):
        self._paypal_bridge_check_caller(unknown)
        return self._paypal_bridge_rpc(
            '_paypal_bridge_rpc_register_capture', source_reference, capture_id, amount, currency,
            status, values,
        )

    @api.model
    def paypal_bridge_register_refund(
        self, source_reference=None, refund_id=None, amount=None, currency=None, status=None,
        kind='refund', values=None, **unknown,
    ):
        self._paypal_bridge_check_caller(unknown)
        return self._paypal_bridge_rpc(
            '_paypal_bridge_rpc_register_refund', source_reference, refund_id, amount, currency,
            status, kind, values,
        )

    @api.model
    def paypal_bridge_upsert_dispute(self, values=None, **unknown):
        self._paypal_bridge_check_caller(unknown)
        return self._paypal_bridge_rpc('_paypal_bridge_rpc_upsert_dispute', values)

    @api.model
    def paypal_bridge_flag_review(self, reference=None, reason=None, **unknown):
        self._paypal_bridge_check_caller(unknown)
        return self._paypal_bridge_rpc('_paypal_bridge_rpc_flag_review', reference, reason)

    # === RPC PLUMBING === #

    def _paypal_bridge_check_caller(self, unknown_arguments):
        """ Refuse callers outside the service group, then unknown keyword arguments. """
        if not self.env.user.has_group(SERVICE_GROUP):
            raise AccessError(_(
                "Only the PayPal Bridge service user (group \"PayPal Bridge Service\") may call the "
                "PayPal Bridge entry points."
            ))
        if unknown_arguments:
            raise ValidationError(_("Unknown arguments: %s.", ", ".join(sorted(unknown_arguments))))

    def _paypal_bridge_rpc(self, method_name, *args):
        """ Run a registration in sudo, surviving a race on PayPal's unique ids.

        If another request commits the same capture/refund/dispute id after this transaction
        started, the unique index refuses our copy; under REPEATABLE READ this transaction cannot
        see the winner, so the registration is replayed in a fresh transaction, which finds the
        booked record and answers `unchanged` (or moves it forward).
        """
        records = self.sudo()
        try:
            with self.env.cr.savepoint():
                return getattr(records, method_name)(*args)
        except psycopg2.errors.UniqueViolation as error:
            _logger.info("PayPal Bridge: %s lost a race (%s); replaying in a new transaction",
                         method_name, error.diag.constraint_name)
        with self.env.registry.cursor() as cr:
            return getattr(records.with_env(records.env(cr=cr)), method_name)(*args)

    def _paypal_bridge_rpc_apply_payment(self, reference, state, values):
        self._paypal_bridge_check_id(reference, 'reference')
        if state not in PAYMENT_STATES:
            raise ValidationError(_("state must be one of %(states)s, got %(state)r.",
                                    states=", ".join(PAYMENT_STATES), state=state))
        values = self._paypal_bridge_check_values(values, APPLY_PAYMENT_KEYS)
        tx = self._paypal_bridge_get(reference)
        result = tx._paypal_bridge_apply_payment(state, values)
        return {'result': result, 'tx': tx._paypal_bridge_tx_info()}

    def _paypal_bridge_rpc_register_capture(self, source_reference, capture_id, amount, currency, status, values):
        self._paypal_bridge_check_id(source_reference, 'source_reference')
        values = self._paypal_bridge_check_values(values, REGISTER_CAPTURE_KEYS)
        self._paypal_bridge_capture_args(capture_id, amount, currency, status)
        source = self._paypal_bridge_get(source_reference)
        result, tx = source._paypal_bridge_book_capture(capture_id, amount, currency, status, values)
        return {'result': result, 'tx': tx._paypal_bridge_tx_info()}

    def _paypal_bridge_rpc_register_refund(self, source_reference, refund_id, amount, currency, status, kind, values):
        kind = kind or 'refund'
        self._paypal_bridge_check_id(source_reference, 'source_reference')
        values = self._paypal_bridge_check_values(values, REGISTER_REFUND_KEYS)
        self._paypal_bridge_refund_args(refund_id, amount, currency, status, kind)
        source = self._paypal_bridge_get(source_reference)
        parent = source._paypal_bridge_refund_parent(values.get('capture_id'))
        result, tx = parent._paypal_bridge_book_refund(
            refund_id, amount, currency, status, kind=kind, reason=values.get('reason'),
            event_id=values.get('event_id'),
        )
        return {'result': result, 'tx': tx._paypal_bridge_tx_info()}

    def _paypal_bridge_rpc_upsert_dispute(self, values):
        return self.env['paypal.dispute']._paypal_bridge_upsert(values)

    def _paypal_bridge_rpc_flag_review(self, reference, reason):
        self._paypal_bridge_check_id(reference, 'reference')
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError(_("reason must be a non-empty string."))
        tx = self._paypal_bridge_get(reference)
        flagged = tx._paypal_bridge_flag_review(reason)
        return {'result': 'applied' if flagged else 'unchanged', 'tx': tx._paypal_bridge_tx_info()}

    # === ARGUMENT CHECKS === #

    @api.model
    def _paypal_bridge_check_id(self, value, label):
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
            raise ValidationError(_("%(label)s must be a non-empty string of at most %(max)s "
                                    "characters, got %(value)r.", label=label, max=MAX_ID_LENGTH, value=value))
        return value.strip()

    @api.model
    def _paypal_bridge_check_values(self, values, allowed):
        """ Return `values` without null entries; refuse unknown keys (a contract drift) and
        non-string values (every value of the contract is a string). """
        if values in (None, False):
            return {}
        if not isinstance(values, dict):
            raise ValidationError(_("values must be an object, got %r.", values))
        unknown = set(values) - allowed
        if unknown:
            raise ValidationError(_("Unknown keys in values: %(unknown)s (allowed: %(allowed)s).",
                                    unknown=", ".join(sorted(unknown)), allowed=", ".join(sorted(allowed))))
        values = {key: value for key, value in values.items() if value is not None and value is not False}
        for key, value in values.items():
            if not isinstance(value, str):
                raise ValidationError(_("values.%(key)s must be a string, got %(value)r.", key=key, value=value))
        return values

    @api.model
    def _paypal_bridge_get(self, reference):
        reference = self._paypal_bridge_check_id(reference, 'reference')
        tx = self.search([('reference', '=', reference), ('provider_id.code', '=', 'paypal')], limit=1)
        if not tx:
            raise MissingError(_("No PayPal transaction with reference %s.", reference))
        return tx

    # === LOOKUPS === #

    @api.model
    def _paypal_bridge_search(self, reference=None, paypal_order_id=None, capture_id=None,
                              authorization_id=None, refund_id=None):
        paypal = [('provider_id.code', '=', 'paypal')]
        if capture_id and (tx := self._paypal_bridge_search_capture(capture_id)):
            return tx
        for field_name, value in (
            ('paypal_refund_id', refund_id),
            ('paypal_authorization_id', authorization_id),
            ('paypal_order_id', paypal_order_id),
            ('reference', reference),
        ):
            if value and (tx := self.search(paypal + [(field_name, '=', value)], order='id', limit=1)):
                return tx
        return self.browse()

    @api.model
    def _paypal_bridge_search_capture(self, capture_id):
        """ The transaction holding a capture. Payments captured by Odoo's own PayPal flow (before
        the bridge) only have the capture id as provider reference; they are found too. """
        tx = self.search([('paypal_capture_id', '=', capture_id)], limit=1)
        if not tx:
            tx = self.search([
                ('provider_id.code', '=', 'paypal'), ('paypal_capture_id', '=', False),
                ('provider_reference', '=', capture_id), ('operation', '!=', 'refund'),
            ], order='id', limit=1)
        return tx

    def _paypal_bridge_refund_parent(self, capture_id=None):
        """ The transaction whose capture is refunded: the given capture, else this transaction's
        own capture, else its only captured child. """
        self.ensure_one()
        if capture_id:
            capture_id = self._paypal_bridge_check_id(capture_id, 'capture_id')
            tx = self._paypal_bridge_search_capture(capture_id)
            if not tx:
                raise MissingError(_("PayPal capture %s is not booked in Odoo yet.", capture_id))
            if self not in (tx, tx.source_transaction_id):
                raise ValidationError(_("PayPal capture %(capture)s belongs to %(other)s, not to %(ref)s.",
                                        capture=capture_id, other=tx.reference, ref=self.reference))
            return tx
        if self.paypal_capture_id or (self.state == 'done' and not self._paypal_bridge_capture_children()):
            return self
        captured = self._paypal_bridge_capture_children().filtered('paypal_capture_id')
        if len(captured) == 1:
            return captured
        if not captured:
            raise MissingError(_("No PayPal capture of %s is booked in Odoo yet.", self.reference))
        raise ValidationError(_("%s has several PayPal captures: give capture_id.", self.reference))

    # === AMOUNTS === #

    def _paypal_bridge_capture_children(self):
        """ Partial captures and partial voids (Odoo gives them the operation of their source). """
        return self.child_transaction_ids.filtered(lambda child: child.operation != 'refund')

    def _paypal_bridge_capturable_amount(self):
        """ What is left of an authorization: neither captured (done or pending) nor voided. """
        self.ensure_one()
        used = self._paypal_bridge_capture_children().filtered(
            lambda child: child.state in ('pending', 'authorized', 'done', 'cancel'))
        return self.currency_id.round(self.amount - sum(used.mapped('amount')))

    def _paypal_bridge_captured_amount(self):
        self.ensure_one()
        if self.operation == 'refund':
            return 0.0
        captures = self._paypal_bridge_capture_children()
        if captures:
            return self.currency_id.round(sum(captures.filtered(lambda c: c.state == 'done').mapped('amount')))
        return self.amount if self.state == 'done' else 0.0

    def _paypal_bridge_refunds(self, states):
        """ Refund children of this transaction and of its partial captures, in `states`. """
        holders = self | self._paypal_bridge_capture_children()
        return holders.child_transaction_ids.filtered(
            lambda child: child.operation == 'refund' and child.state in states)

    def _paypal_bridge_refunded_amount(self):
        self.ensure_one()
        return self.currency_id.round(-sum(self._paypal_bridge_refunds(('done',)).mapped('amount')))

    def _paypal_bridge_refundable_amount(self):
        """ The capture held by this transaction minus its refunds that did not fail. """
        self.ensure_one()
        if self.state != 'done':
            return 0.0
        reserved = self.child_transaction_ids.filtered(
            lambda child: child.operation == 'refund' and child.state not in ('cancel', 'error'))
        return self.currency_id.round(self.amount + sum(reserved.mapped('amount')))

    def _paypal_bridge_update_refund_status(self):
        for tx in self | self.source_transaction_id:
            refunded = tx._paypal_bridge_refunded_amount()
            if tx.currency_id.compare_amounts(refunded, 0) <= 0:
                status = 'none'
            elif tx.currency_id.compare_amounts(refunded, tx._paypal_bridge_captured_amount()) >= 0:
                status = 'refunded'
            else:
                status = 'partially_refunded'
            if tx.paypal_refund_status != status:
                tx.paypal_refund_status = status

    # === REGISTRATION (shared by the entry points and the buttons) === #

    def _paypal_bridge_apply_payment(self, state, values):
        """ Apply a PayPal payment status to this transaction (see the contract). """
        self.ensure_one()
        values = dict(values)
        for key in ('paypal_order_id', 'capture_id', 'authorization_id', 'payer_id', 'event_id'):
            if key in values:
                values[key] = self._paypal_bridge_check_id(values[key], key)
        self._paypal_bridge_lock()
        currency = self.currency_id
        if (state in ('done', 'pending') and values.get('capture_id') and self.state == 'authorized'
                and values['capture_id'] != self.paypal_capture_id):
            # A capture of this authorization, possibly partial: booked as register_capture does.
            result, _capture_tx = self._paypal_bridge_book_capture(
                values['capture_id'],
                values.get('amount') or format_amount(self._paypal_bridge_capturable_amount(), currency),
                values.get('currency') or currency.name,
                'COMPLETED' if state == 'done' else 'PENDING',
                {key: values[key] for key in REGISTER_CAPTURE_KEYS if key in values},
            )
            return result
        mismatches = []
        if values.get('currency') and values['currency'] != currency.name:
            mismatches.append(_("currency %(paypal)s at PayPal, %(odoo)s in Odoo",
                                paypal=values['currency'], odoo=currency.name))
        if 'amount' in values:
            amount = parse_amount(self.env, values['amount'], 'amount')
            if currency.compare_amounts(float(amount), self.amount) != 0:
                mismatches.append(_("amount %(paypal)s at PayPal, %(odoo)s in Odoo",
                                    paypal=values['amount'], odoo=format_amount(self.amount, currency)))
        if mismatches:
            self._paypal_bridge_flag_review(_("PayPal %(state)s with %(details)s; state left unchanged.",
                                              state=state, details="; ".join(mismatches)))
            return 'mismatch'

        conflict = self._paypal_bridge_find_conflict(values)
        if conflict:
            self._paypal_bridge_flag_review(conflict)
            return 'conflict'

        vals = {}
        if 'paypal_order_id' in values:
            vals['paypal_order_id'] = values['paypal_order_id']
        if 'authorization_id' in values:
            vals['paypal_authorization_id'] = values['authorization_id']
            vals['provider_reference'] = values['authorization_id']
        if 'capture_id' in values:
            vals['paypal_capture_id'] = values['capture_id']
            vals['provider_reference'] = values['capture_id']
        if 'authorization_expiry' in values:
            vals['paypal_authorization_expiry'] = parse_datetime(
                self.env, values['authorization_expiry'], 'authorization_expiry')
        vals.update(self._paypal_bridge_fee_values(values))
        if 'payer_id' in values:
            vals['paypal_payer_id'] = values['payer_id']
        if 'payer_email' in values:
            vals['paypal_payer_email'] = values['payer_email']
        if state == 'cancel' and self.state == 'authorized' and self._paypal_bridge_capture_children().filtered(
                lambda child: child.state in ('pending', 'done')):
            # The void of a partly captured authorization only voids what is left of it.
            changed = self._paypal_bridge_write(vals)
            result, _void_tx = self._paypal_bridge_book_void(
                vals.get('paypal_authorization_id'), message=values.get('message'), event_id=values.get('event_id'))
            return 'applied' if changed else result
        result = self._paypal_bridge_apply(
            state, vals, message=values.get('message') or values.get('status_detail'),
            status_detail=values.get('status_detail'), event_id=values.get('event_id'),
        )
        self._paypal_bridge_set_partner_payer()
        return result

    def _paypal_bridge_find_conflict(self, values):
        """ Return why PayPal's ids cannot belong to this transaction, or None. """
        capture_id = values.get('capture_id')
        if capture_id:
            other = self._paypal_bridge_search_capture(capture_id)
            if other and other != self:
                return _("PayPal capture %(capture)s is already booked on %(other)s.",
                         capture=capture_id, other=other.reference)
            if self.paypal_capture_id and self.paypal_capture_id != capture_id:
                return _("Second PayPal capture %(new)s for a transaction already captured by "
                         "%(old)s: the customer may have paid twice; refund one of them.",
                         new=capture_id, old=self.paypal_capture_id)
        authorization_id = values.get('authorization_id')
        if authorization_id:
            if self.paypal_authorization_id and self.paypal_authorization_id != authorization_id:
                return _("Second PayPal authorization %(new)s for a transaction already authorized "
                         "by %(old)s.", new=authorization_id, old=self.paypal_authorization_id)
        order_id = values.get('paypal_order_id')
        if (order_id and self.paypal_order_id and order_id != self.paypal_order_id
                and self.state not in ('draft', 'pending')):
            # A new order is normal while the shopper retries; not once this one was paid.
            return _("PayPal order %(new)s for a transaction already paid through order %(old)s.",
                     new=order_id, old=self.paypal_order_id)
        return None

    def _paypal_bridge_fee_values(self, values):
        vals = {}
        for key, field_name in (('fee', 'paypal_fee'), ('net', 'paypal_net_amount')):
            if values.get(key) is not None:
                amount = parse_amount(self.env, values[key], key, allow_zero=True)
                vals[field_name] = float(amount)
        return vals

    def _paypal_bridge_book_capture(self, capture_id, amount, currency, status, values=None):
        """ Book a capture of this (authorized) transaction: on itself when it captures the whole
        amount at once, else on a new child. Return (result, transaction holding the capture). """
        self.ensure_one()
        values = values or {}
        capture_id, amount = self._paypal_bridge_capture_args(capture_id, amount, currency, status)
        target_state = CAPTURE_STATES[status]
        self._paypal_bridge_lock()

        existing = self._paypal_bridge_search_capture(capture_id)
        if existing:
            if self not in (existing, existing.source_transaction_id):
                self._paypal_bridge_flag_review(_("PayPal capture %(capture)s is already booked on %(other)s.",
                                                  capture=capture_id, other=existing.reference))
                return 'conflict', self
            return existing._paypal_bridge_apply_capture(target_state, values, capture_id), existing

        if currency != self.currency_id.name:
            self._paypal_bridge_flag_review(_("PayPal capture %(capture)s is in %(paypal)s, the transaction "
                                              "in %(odoo)s; nothing booked.", capture=capture_id,
                                              paypal=currency, odoo=self.currency_id.name))
            return 'mismatch', self
        check_amount_precision(amount, self.currency_id, 'amount')
        if self.paypal_capture_id:
            self._paypal_bridge_flag_review(_("Second PayPal capture %(new)s for a transaction already "
                                              "captured by %(old)s.", new=capture_id, old=self.paypal_capture_id))
            return 'conflict', self
        remaining = self._paypal_bridge_capturable_amount()
        if self.currency_id.compare_amounts(float(amount), remaining) > 0:
            self._paypal_bridge_flag_review(_("PayPal capture %(capture)s of %(amount)s exceeds the %(remaining)s "
                                              "left to capture; nothing booked.", capture=capture_id,
                                              amount=amount, remaining=format_amount(remaining, self.currency_id)))
            return 'mismatch', self

        is_full = (not self._paypal_bridge_capture_children()
                   and self.currency_id.compare_amounts(float(amount), self.amount) == 0)
        if is_full:
            return self._paypal_bridge_apply_capture(target_state, values, capture_id), self
        if self.state != 'authorized':
            raise MissingError(_("The PayPal authorization of %s is not booked in Odoo yet; a partial "
                                 "capture needs it.", self.reference))
        capture_tx = self._create_child_transaction(float(amount), paypal_capture_id=capture_id)
        # A denied partial capture is a failure, not a void: a cancelled child would count as
        # voided when Odoo settles the source transaction.
        if target_state == 'cancel':
            target_state = 'error'
        capture_tx._paypal_bridge_apply_capture(target_state, values, capture_id)
        return 'applied', capture_tx

    def _paypal_bridge_apply_capture(self, target_state, values, capture_id):
        vals = {'paypal_capture_id': capture_id, 'provider_reference': capture_id}
        vals.update(self._paypal_bridge_fee_values(values))
        return self._paypal_bridge_apply(
            target_state, vals, message=values.get('message') or values.get('status_detail'),
            status_detail=values.get('status_detail'), event_id=values.get('event_id'),
        )

    def _paypal_bridge_book_void(self, authorization_id, message=None, event_id=None):
        """ Book the void of what is left of this transaction's authorization. """
        self.ensure_one()
        self._paypal_bridge_lock()
        if self.state != 'authorized':
            return 'unchanged', self
        vals = {'paypal_authorization_id': authorization_id} if authorization_id else {}
        if not self._paypal_bridge_capture_children().filtered(lambda c: c.state in ('pending', 'done')):
            return self._paypal_bridge_apply('cancel', vals, message=message, event_id=event_id), self
        # Partly captured: Odoo settles the source once its children cover the whole amount.
        self._paypal_bridge_write(vals)
        void_tx = self._create_child_transaction(self._paypal_bridge_capturable_amount())
        void_tx._paypal_bridge_apply('cancel', {}, message=message, event_id=event_id)
        return 'applied', void_tx

    def _paypal_bridge_book_refund(self, refund_id, amount, currency, status, kind='refund', reason=None,
                                   event_id=None):
        """ Book one PayPal refund (or reversal) of the capture held by this transaction, as its
        own refund transaction with its own amount. Return (result, refund transaction). """
        self.ensure_one()
        refund_id, amount = self._paypal_bridge_refund_args(refund_id, amount, currency, status, kind)
        self._paypal_bridge_lock()

        existing = self.search([('paypal_refund_id', '=', refund_id)], limit=1)
        if existing:
            if existing.source_transaction_id != self:
                self._paypal_bridge_flag_review(_("PayPal refund %(refund)s is already booked on %(other)s.",
                                                  refund=refund_id, other=existing.reference))
                return 'conflict', self
            if currency != self.currency_id.name or self.currency_id.compare_amounts(float(amount), -existing.amount):
                self._paypal_bridge_flag_review(_("PayPal refund %(refund)s now reads %(amount)s %(currency)s; "
                                                  "Odoo booked %(booked)s.", refund=refund_id, amount=amount,
                                                  currency=currency,
                                                  booked=format_amount(-existing.amount, self.currency_id)))
                return 'mismatch', existing
            result = existing._paypal_bridge_apply(REFUND_STATES[status], {}, message=reason, event_id=event_id)
            self._paypal_bridge_update_refund_status()
            if kind == 'reversal' and self._paypal_bridge_flag_reversal(refund_id, amount, reason):
                result = 'applied'
            return result, existing

        if currency != self.currency_id.name:
            self._paypal_bridge_flag_review(_("PayPal %(kind)s %(refund)s is in %(paypal)s, the payment in "
                                              "%(odoo)s; nothing booked.", kind=kind, refund=refund_id,
                                              paypal=currency, odoo=self.currency_id.name))
            return 'mismatch', self
        check_amount_precision(amount, self.currency_id, 'amount')
        if self.state != 'done':
            raise MissingError(_("The PayPal capture of %s is not confirmed in Odoo yet; book the "
                                 "capture before its refunds.", self.reference))
        refundable = self._paypal_bridge_refundable_amount()
        if self.currency_id.compare_amounts(float(amount), refundable) > 0:
            self._paypal_bridge_flag_review(_("PayPal %(kind)s %(refund)s of %(amount)s exceeds the %(left)s "
                                              "left to refund; nothing booked.", kind=kind, refund=refund_id,
                                              amount=amount, left=format_amount(refundable, self.currency_id)))
            return 'mismatch', self

        refund_tx = self._create_child_transaction(
            float(amount), is_refund=True, paypal_refund_id=refund_id, provider_reference=refund_id,
            paypal_refund_kind=kind, paypal_refund_reason=(reason or '').strip()[:500] or False,
        )
        refund_tx._paypal_bridge_apply(REFUND_STATES[status], {}, message=reason, event_id=event_id)
        self._paypal_bridge_update_refund_status()
        if kind == 'reversal':
            self._paypal_bridge_flag_reversal(refund_id, amount, reason)
        return 'applied', refund_tx

    @api.model
    def _paypal_bridge_capture_args(self, capture_id, amount, currency, status):
        """ Check a capture's arguments; return the clean (capture_id, Decimal amount). """
        capture_id = self._paypal_bridge_check_id(capture_id, 'capture_id')
        self._paypal_bridge_check_currency(currency)
        if status not in CAPTURE_STATES:
            raise ValidationError(_("Unknown PayPal capture status %(status)r (expected one of %(known)s).",
                                    status=status, known=", ".join(CAPTURE_STATES)))
        return capture_id, parse_amount(self.env, amount, 'amount')

    @api.model
    def _paypal_bridge_check_currency(self, currency):
        if not isinstance(currency, str) or len(currency) != 3:
            raise ValidationError(_("currency must be an ISO 4217 code such as \"USD\", got %r.", currency))

    @api.model
    def _paypal_bridge_refund_args(self, refund_id, amount, currency, status, kind):
        """ Check a refund's arguments; return the clean (refund_id, Decimal amount). """
        refund_id = self._paypal_bridge_check_id(refund_id, 'refund_id')
        self._paypal_bridge_check_currency(currency)
        if status not in REFUND_STATES:
            raise ValidationError(_("Unknown PayPal refund status %(status)r (expected one of %(known)s).",
                                    status=status, known=", ".join(REFUND_STATES)))
        if kind not in ('refund', 'reversal'):
            raise ValidationError(_("kind must be \"refund\" or \"reversal\", got %r.", kind))
        return refund_id, parse_amount(self.env, amount, 'amount')

    def _paypal_bridge_flag_reversal(self, refund_id, amount, reason):
        return self._paypal_bridge_flag_review(_(
            "PayPal reversed %(amount)s %(currency)s of capture %(capture)s (%(refund)s): %(reason)s. "
            "The sale order stays confirmed; check the chargeback or dispute.",
            amount=amount, currency=self.currency_id.name, capture=self.paypal_capture_id or self.reference,
            refund=refund_id, reason=reason or _("no reason given"),
        ))

    # === STATE, VALUES, REVIEW === #

    def _paypal_bridge_apply(self, target_state, vals, message=None, status_detail=None, event_id=None):
        """ Store PayPal's values, move the state forward if Odoo's rules allow it, post-process.

        :return: 'applied' when anything changed, else 'unchanged'.
        """
        self.ensure_one()
        changed = self._paypal_bridge_write(vals)
        moved = self._paypal_bridge_set_state(target_state, message)
        if moved or self.state == target_state:
            # A detail describes the state it came with: clear it when moving without one.
            detail = status_detail or (False if moved else self.paypal_status_detail)
            changed = self._paypal_bridge_write({'paypal_status_detail': detail}) or changed
        if target_state == 'done' and self.state == 'cancel':
            changed = self._paypal_bridge_flag_review(_(
                "PayPal confirmed a payment that Odoo had cancelled: the customer was charged; "
                "refund the payment or re-open the order.")) or changed
        if target_state == 'error' and self.state == 'error':
            changed = self._paypal_bridge_flag_review(_(
                "PayPal reported an error: %s", message or status_detail or _("no detail"),
            )) or changed
        if (moved or changed) and event_id and self.paypal_last_event_id != event_id:
            self.paypal_last_event_id = event_id
        if moved:
            self._paypal_bridge_post_process()
        return 'applied' if moved or changed else 'unchanged'

    def _paypal_bridge_set_state(self, target_state, message=None):
        """ Move through Odoo's own setters, whose allowed-state rules make moves forward-only. """
        if target_state == 'pending':
            moved = self._set_pending(state_message=message)
        elif target_state == 'authorized':
            moved = self._set_authorized(state_message=message)
        elif target_state == 'done':
            moved = self._set_done(state_message=message)
        elif target_state == 'cancel':
            moved = self._set_canceled(state_message=message)
        else:
            moved = self._set_error(message or _("PayPal reported an error."))
        return bool(moved)

    def _paypal_bridge_post_process(self):
        """ Post-process now (posted payment, confirmed order) instead of waiting for the cron.

        A failure other than a concurrency error keeps the state change: Odoo's post-processing
        cron retries it, exactly as after a customer's status poll. """
        txs = (self | self.source_transaction_id).filtered(
            lambda tx: tx.state != 'draft' and not tx.is_post_processed)
        if not txs:
            return
        # Flush first: an error in what is already written (e.g. a PayPal id another request just
        # booked) must reach the caller, not be taken for a post-processing failure.
        self.env.flush_all()
        try:
            with self.env.cr.savepoint():
                txs._post_process()
        except psycopg2.OperationalError:
            raise
        except Exception:
            _logger.exception("PayPal Bridge: post-processing of %s failed; Odoo's cron will retry",
                              ", ".join(txs.mapped('reference')))

    def _paypal_bridge_write(self, vals):
        """ Write only what differs; return whether anything did. """
        changes = {}
        for field_name, value in vals.items():
            current = self[field_name]
            if self._fields[field_name].type == 'monetary':
                if self.currency_id.compare_amounts(current, value) != 0:
                    changes[field_name] = value
            elif current != value:
                changes[field_name] = value
        if changes:
            self.write(changes)
        return bool(changes)

    def _paypal_bridge_set_partner_payer(self):
        """ Remember the payer on the customer the first time only. """
        partner = self.partner_id
        if self.paypal_payer_id and not partner.paypal_payer_id and not partner.is_public:
            partner.paypal_payer_id = self.paypal_payer_id

    def _paypal_bridge_flag_review(self, reason):
        """ Flag for manual review; return False if already flagged for that very reason. """
        self.ensure_one()
        reason = reason.strip()
        lines = (self.paypal_review_reason or '').splitlines()
        if self.paypal_needs_review and reason in lines:
            return False
        if reason not in lines:
            lines.append(reason)
        self.write({'paypal_needs_review': True, 'paypal_review_reason': '\n'.join(lines)})
        _logger.warning("PayPal Bridge: %s needs a review: %s", self.reference, reason)
        self._log_message_on_linked_documents(_(
            "PayPal: transaction %(ref)s needs a manual review. %(reason)s", ref=self.reference, reason=reason,
        ))
        return True

    # === TxInfo === #

    def _paypal_bridge_tx_info(self):
        """ The JSON-safe description of a transaction returned by every entry point. """
        self.ensure_one()
        currency = self.currency_id
        provider = self.provider_id

        def amount(value):
            return format_amount(abs(value), currency)

        return {
            'id': self.id,
            'reference': self.reference,
            'state': self.state,
            'operation': self.operation or False,
            'amount': amount(self.amount),
            'currency': currency.name,
            'provider_code': self.provider_code,
            'bridge_enabled': bool(provider.paypal_bridge_enabled),
            'capture_manually': bool(provider.capture_manually),
            'partner_id': self.partner_id.id,
            'partner_name': self.partner_name or self.partner_id.name or '',
            'sale_order_ids': self.sale_order_ids.ids,
            'sale_order_names': self.sale_order_ids.mapped('name'),
            'invoice_ids': self.invoice_ids.ids,
            'payment_id': self.payment_id.id or False,
            'is_post_processed': self.is_post_processed,
            'source_reference': self.source_transaction_id.reference or False,
            'paypal_order_id': self.paypal_order_id or False,
            'paypal_capture_id': self.paypal_capture_id or False,
            'paypal_authorization_id': self.paypal_authorization_id or False,
            'paypal_authorization_expiry': format_datetime(self.paypal_authorization_expiry),
            'paypal_refund_id': self.paypal_refund_id or False,
            'paypal_refund_status': self.paypal_refund_status,
            'paypal_payer_id': self.paypal_payer_id or False,
            'paypal_fee': amount(self.paypal_fee),
            'paypal_net_amount': amount(self.paypal_net_amount),
            'paypal_status_detail': self.paypal_status_detail or False,
            'paypal_needs_review': self.paypal_needs_review,
            'paypal_review_reason': self.paypal_review_reason or False,
            'refunded_amount': amount(self._paypal_bridge_refunded_amount()),
            'captured_amount': amount(self._paypal_bridge_captured_amount()),
            'children': [{
                'reference': child.reference,
                'operation': child.operation or False,
                'state': child.state,
                'amount': amount(child.amount),
                'paypal_capture_id': child.paypal_capture_id or False,
                'paypal_refund_id': child.paypal_refund_id or False,
            } for child in self.child_transaction_ids.sorted('id')],
        }
