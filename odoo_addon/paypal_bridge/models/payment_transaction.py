import hashlib
import logging

import requests

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.paypal_bridge.utils import format_amount

_logger = logging.getLogger(__name__)

# (connect, read) seconds. The service may itself retry PayPal (429/5xx) before it answers.
SERVICE_TIMEOUT = (5, 45)


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'

    paypal_order_id = fields.Char(
        string="PayPal Order ID", readonly=True, copy=False, index='btree_not_null')
    # paypal_capture_id and paypal_refund_id are indexed by the unique partial indexes of init().
    paypal_capture_id = fields.Char(string="PayPal Capture ID", readonly=True, copy=False)
    paypal_authorization_id = fields.Char(
        string="PayPal Authorization ID", readonly=True, copy=False, index='btree_not_null')
    paypal_authorization_expiry = fields.Datetime(
        string="Authorization Expiry", readonly=True, copy=False,
        help="PayPal honours an authorization until this moment; capture or void it before.")
    paypal_refund_id = fields.Char(string="PayPal Refund ID", readonly=True, copy=False)
    paypal_refund_status = fields.Selection(
        string="PayPal Refund Status",
        selection=[
            ('none', "Not refunded"),
            ('partially_refunded', "Partially refunded"),
            ('refunded', "Refunded"),
        ],
        default='none', required=True, readonly=True, copy=False,
        help="Confirmed refunds and reversals of this payment's PayPal captures.")
    paypal_payer_id = fields.Char(
        string="PayPal Payer ID", readonly=True, copy=False, index='btree_not_null')
    paypal_payer_email = fields.Char(string="PayPal Payer Email", readonly=True, copy=False)
    paypal_fee = fields.Monetary(
        string="PayPal Fee", currency_field='currency_id', readonly=True, copy=False)
    paypal_net_amount = fields.Monetary(
        string="PayPal Net Amount", currency_field='currency_id', readonly=True, copy=False)
    paypal_status_detail = fields.Char(
        string="PayPal Status Detail", readonly=True, copy=False,
        help="PayPal's reason for the current status, e.g. PENDING_REVIEW or ECHECK.")
    paypal_needs_review = fields.Boolean(
        string="Needs Review", readonly=True, copy=False, index=True,
        help="PayPal and Odoo disagree (amount, currency, duplicate capture...) or PayPal "
             "reversed the payment: nothing was reconciled automatically; check it by hand.")
    paypal_review_reason = fields.Text(string="Review Reason", readonly=True, copy=False)
    paypal_dispute_ids = fields.One2many(
        string="PayPal Disputes", comodel_name='paypal.dispute', inverse_name='transaction_id',
        readonly=True)
    paypal_last_event_id = fields.Char(string="Last PayPal Event", readonly=True, copy=False)
    # Counts the refund/capture/void requests sent by Odoo's buttons; part of their idempotency
    # key, so that a retried request reuses the key and a new request gets a new one.
    paypal_bridge_operation_seq = fields.Integer(readonly=True, copy=False)

    def init(self):
        super().init()
        # One Odoo transaction per PayPal capture or refund, even under concurrent requests:
        # the database, not a read-then-write check, has the last word.
        for column in ('paypal_capture_id', 'paypal_refund_id'):
            self.env.cr.execute(SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON payment_transaction (%s) WHERE %s IS NOT NULL",
                SQL.identifier(f'payment_transaction_{column}_unique'),
                SQL.identifier(column),
                SQL.identifier(column),
            ))

    # === ACTION METHODS === #

    def action_paypal_bridge_mark_reviewed(self):
        """ Clear the review flag once a person has checked the transaction (the reason stays). """
        if not self.env.user.has_groups('paypal_bridge.group_paypal_bridge_manager'):
            raise AccessError(_("Only PayPal managers can mark PayPal transactions as reviewed."))
        self.check_access('write')
        self.sudo().paypal_needs_review = False

    # === BUSINESS METHODS - PAYMENT FLOW === #

    def _paypal_bridge_is_active(self):
        self.ensure_one()
        return self.provider_code == 'paypal' and self.provider_id.paypal_bridge_enabled

    def _get_specific_processing_values(self, processing_values):
        """ Override of `payment_paypal`: under the bridge the browser asks the service to create
        the PayPal order, so no PayPal request is made here. `super()` is deliberately not called
        for bridge transactions: payment_paypal's override would create the order itself. """
        if not self._paypal_bridge_is_active():
            return super()._get_specific_processing_values(processing_values)
        provider = self.provider_id.sudo()
        return {
            'bridge_public_url': provider._paypal_bridge_public_url(),
            'reference': self.reference,
            'amount': format_amount(self.amount, self.currency_id),
            'currency': self.currency_id.name,
        }

    def _get_processing_values(self):
        """ Add the checkout token after `payment` has logged the processing values, so that the
        bearer token never reaches the server log. """
        processing_values = super()._get_processing_values()
        if self._paypal_bridge_is_active():
            processing_values['bridge_checkout_token'] = self.provider_id.sudo()._paypal_bridge_issue_token(
                'checkout', ['checkout'], ref=self.reference,
            )
        return processing_values

    def _send_refund_request(self, amount_to_refund=None):
        """ Override of `payment`: ask the service to refund at PayPal, then book PayPal's answer
        through the same registration as the webhook path (no draft child is left behind). """
        if not self._paypal_bridge_is_active():
            return super()._send_refund_request(amount_to_refund=amount_to_refund)
        self.ensure_one()
        self._ensure_provider_is_not_disabled()
        if not self.paypal_capture_id:
            raise UserError(_(
                "Transaction %s has no PayPal capture to refund. Refund the capture's own "
                "transaction (the partial capture), or wait until PayPal confirms the capture.",
                self.reference,
            ))
        amount = self.currency_id.round(amount_to_refund or self.amount)
        refundable = self._paypal_bridge_refundable_amount()
        if self.currency_id.compare_amounts(amount, refundable) > 0:
            raise UserError(_(
                "At most %(refundable)s %(currency)s of %(ref)s can still be refunded (confirmed "
                "and pending refunds included).", refundable=format_amount(refundable, self.currency_id),
                currency=self.currency_id.name, ref=self.reference,
            ))
        self._paypal_bridge_lock()  # Serialises with the webhook path until this commits.
        answer = self._paypal_bridge_call_service('refund', {
            'reference': self.reference,
            'capture_id': self.paypal_capture_id,
            'amount': format_amount(amount, self.currency_id),
            'currency': self.currency_id.name,
            'request_id': self._paypal_bridge_request_id('refund', amount),
        })
        self.paypal_bridge_operation_seq += 1
        _result, refund_tx = self._paypal_bridge_book_refund(
            self._paypal_bridge_answer(answer, 'refund_id', 'refund'),
            self._paypal_bridge_answer(answer, 'amount', 'refund'),
            self._paypal_bridge_answer(answer, 'currency', 'refund'),
            self._paypal_bridge_answer(answer, 'status', 'refund'),
        )
        return refund_tx if refund_tx != self else self.env['payment.transaction']

    def _send_capture_request(self, amount_to_capture=None):
        """ Override of `payment`: capture (fully or partly) the PayPal authorization through the
        service and book the capture (on this transaction, or on a child for a partial one). """
        if not self._paypal_bridge_is_active():
            return super()._send_capture_request(amount_to_capture=amount_to_capture)
        self.ensure_one()
        self._ensure_provider_is_not_disabled()
        self._paypal_bridge_check_authorized('capture')
        remaining = self._paypal_bridge_capturable_amount()
        amount = self.currency_id.round(amount_to_capture or remaining)
        self._paypal_bridge_lock()
        answer = self._paypal_bridge_call_service('capture', {
            'reference': self.reference,
            'authorization_id': self.paypal_authorization_id,
            'amount': format_amount(amount, self.currency_id),
            'currency': self.currency_id.name,
            # PayPal closes the authorization after a final capture; leave it open otherwise.
            'final_capture': self.currency_id.compare_amounts(amount, remaining) >= 0,
            'request_id': self._paypal_bridge_request_id('capture', amount),
        })
        self.paypal_bridge_operation_seq += 1
        _result, capture_tx = self._paypal_bridge_book_capture(
            self._paypal_bridge_answer(answer, 'capture_id', 'capture'),
            self._paypal_bridge_answer(answer, 'amount', 'capture'),
            self._paypal_bridge_answer(answer, 'currency', 'capture'),
            self._paypal_bridge_answer(answer, 'status', 'capture'),
            {'fee': answer.get('fee'), 'net': answer.get('net')},
        )
        return capture_tx if capture_tx != self else self.env['payment.transaction']

    def _send_void_request(self, amount_to_void=None):
        """ Override of `payment`: void what is left of the PayPal authorization through the
        service. Without earlier partial captures the transaction is cancelled; otherwise a
        cancelled child for the remaining amount lets Odoo settle the source transaction. """
        if not self._paypal_bridge_is_active():
            return super()._send_void_request(amount_to_void=amount_to_void)
        self.ensure_one()
        self._ensure_provider_is_not_disabled()
        self._paypal_bridge_check_authorized('void')
        self._paypal_bridge_lock()
        answer = self._paypal_bridge_call_service('void', {
            'reference': self.reference,
            'authorization_id': self.paypal_authorization_id,
            'request_id': self._paypal_bridge_request_id('void'),
        })
        status = self._paypal_bridge_answer(answer, 'status', 'void')
        if status != 'VOIDED':
            raise UserError(_(
                "PayPal did not void the authorization of %(ref)s (status %(status)s). Nothing "
                "was changed in Odoo; check the payment at PayPal.", ref=self.reference, status=status,
            ))
        self.paypal_bridge_operation_seq += 1
        _result, void_tx = self._paypal_bridge_book_void(
            answer.get('authorization_id') or self.paypal_authorization_id,
            _("Voided from Odoo by %s.", self.env.user.name),
        )
        return void_tx if void_tx != self else self.env['payment.transaction']

    def _paypal_bridge_check_authorized(self, operation):
        if self.state != 'authorized' or not self.paypal_authorization_id:
            raise UserError(_(
                "Transaction %(ref)s cannot be sent to PayPal for %(operation)s: only an "
                "authorized PayPal payment with an authorization id can be (state: %(state)s).",
                ref=self.reference, operation=operation, state=self.state,
            ))

    # === BUSINESS METHODS - SERVICE CALLS === #

    def _paypal_bridge_lock(self):
        """ Lock the rows *and* mark them updated. Under REPEATABLE READ, a concurrent request
        that reaches the same rows then waits for this one and fails with a serialization error,
        which Odoo retries from scratch: the retry sees what this request booked. A plain
        SELECT ... FOR UPDATE would let it continue on its stale snapshot. """
        self.env.cr.execute(SQL(
            "UPDATE payment_transaction SET write_date = write_date WHERE id IN %s",
            tuple(self.ids),
        ))

    def _paypal_bridge_request_id(self, operation, amount=None):
        """ The idempotency key the service sends to PayPal as PayPal-Request-Id.

        Stable while the request is not booked (a retry after a timeout or an error reuses it, so
        PayPal executes the operation at most once); new for the next request, since booking
        increments `paypal_bridge_operation_seq` in the same database transaction.
        """
        self.ensure_one()
        db_uuid = self.env['ir.config_parameter'].sudo().get_param('database.uuid')
        seed = '|'.join([
            db_uuid or self.env.cr.dbname, self.reference, operation,
            str(self.paypal_bridge_operation_seq), '' if amount is None else format_amount(amount, self.currency_id),
        ])
        return 'odoo-' + hashlib.sha256(seed.encode()).hexdigest()

    def _paypal_bridge_call_service(self, operation, body):
        """ POST {service}/v1/operations/<operation> with a `server` token; return the JSON answer.

        :raise UserError: with what went wrong and what to do, when the service cannot be reached
                          or refuses (PayPal's error name and debug id quoted when given).
        """
        self.ensure_one()
        provider = self.provider_id.sudo()
        base_url = (provider.paypal_bridge_service_url or '').rstrip('/')
        url = f'{base_url}/v1/operations/{operation}'
        token = provider._paypal_bridge_issue_token('server', ['operations'], ref=self.reference)
        _logger.info("PayPal Bridge: %s requested for %s (%s)", operation, self.reference, body.get('request_id'))
        try:
            response = requests.post(
                url, json=body, headers={'Authorization': f'Bearer {token}'}, timeout=SERVICE_TIMEOUT,
            )
        except requests.exceptions.ReadTimeout:
            _logger.warning("PayPal Bridge: %s for %s timed out at %s", operation, self.reference, url)
            raise UserError(_(
                "The PayPal Bridge service did not answer in time (%(url)s). The %(operation)s may "
                "still complete at PayPal; it then appears here by itself. Trying again is safe: "
                "PayPal executes the same request only once.", url=url, operation=operation,
            ))
        except requests.exceptions.RequestException as error:
            _logger.warning("PayPal Bridge: cannot reach %s: %s", url, error)
            raise UserError(_(
                "The PayPal Bridge service cannot be reached at %(url)s (%(error)s). Check that the "
                "service is running and that the provider's Service URL is right; nothing was "
                "booked in Odoo.", url=url, error=type(error).__name__,
            ))
        try:
            data = response.json()
        except ValueError:
            data = None
        if not response.ok:
            _logger.warning(
                "PayPal Bridge: %s for %s refused with HTTP %s: %s",
                operation, self.reference, response.status_code, data,
            )
            raise UserError(self._paypal_bridge_service_error_message(operation, response.status_code, data))
        if not isinstance(data, dict):
            raise UserError(_(
                "The PayPal Bridge service answered the %(operation)s of %(ref)s with something "
                "that is not a JSON object (HTTP %(status)s); nothing was booked in Odoo.",
                operation=operation, ref=self.reference, status=response.status_code,
            ))
        return data

    def _paypal_bridge_service_error_message(self, operation, status, data):
        """ Turn the service's error body {error, message, paypal?: {name, debug_id, issues}}
        into a message for the user. """
        if not isinstance(data, dict):
            return _(
                "The PayPal Bridge service refused the %(operation)s of %(ref)s with HTTP %(status)s "
                "and no explanation; check the service's log. Nothing was booked in Odoo.",
                operation=operation, ref=self.reference, status=status,
            )
        message = data.get('message') or data.get('error') or ''
        paypal = data.get('paypal')
        if isinstance(paypal, dict):
            issues = '\n'.join(
                f"- {issue.get('issue', '')}: {issue.get('description', '')}"
                for issue in paypal.get('issues') or [] if isinstance(issue, dict)
            )
            text = _(
                "PayPal refused the %(operation)s of %(ref)s: %(name)s. %(message)s "
                "(PayPal debug id: %(debug_id)s). Nothing was booked in Odoo.",
                operation=operation, ref=self.reference, name=paypal.get('name') or _("unknown error"),
                message=message, debug_id=paypal.get('debug_id') or _("none"),
            )
            return f"{text}\n{issues}" if issues else text
        text = _(
            "The PayPal Bridge service refused the %(operation)s of %(ref)s (HTTP %(status)s, "
            "%(error)s): %(message)s. Nothing was booked in Odoo.",
            operation=operation, ref=self.reference, status=status,
            error=data.get('error') or _("no error code"), message=message,
        )
        if status in (401, 403):
            text += "\n" + _(
                "Check that the provider's Bridge Secret equals the service's BRIDGE_SECRET and "
                "that both clocks are right (the token lives 60 seconds)."
            )
        return text

    def _paypal_bridge_answer(self, answer, key, operation):
        value = answer.get(key)
        if not isinstance(value, str) or not value:
            raise UserError(_(
                "The PayPal Bridge service answered the %(operation)s of %(ref)s without "
                "\"%(key)s\". Check the service version; the operation may have happened at PayPal "
                "and will then be booked by its webhook.", operation=operation, ref=self.reference, key=key,
            ))
        return value
