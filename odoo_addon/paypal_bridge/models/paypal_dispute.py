import logging

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.paypal_bridge.utils import check_amount_precision, parse_amount, parse_datetime

_logger = logging.getLogger(__name__)

# PayPal's documented values (customer_disputes_v1). A value PayPal adds later is stored as
# OTHER and quoted in the chatter, rather than failing the whole update.
STATUSES = [
    ('OPEN', "Open"),
    ('WAITING_FOR_BUYER_RESPONSE', "Waiting for buyer"),
    ('WAITING_FOR_SELLER_RESPONSE', "Seller response due"),
    ('UNDER_REVIEW', "Under PayPal review"),
    ('RESOLVED', "Resolved"),
    ('OTHER', "Other"),
]
REASONS = [
    ('MERCHANDISE_OR_SERVICE_NOT_RECEIVED', "Not received"),
    ('MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED', "Not as described"),
    ('UNAUTHORISED', "Unauthorised"),
    ('CREDIT_NOT_PROCESSED', "Credit not processed"),
    ('DUPLICATE_TRANSACTION', "Duplicate transaction"),
    ('INCORRECT_AMOUNT', "Incorrect amount"),
    ('PAYMENT_BY_OTHER_MEANS', "Paid by other means"),
    ('CANCELED_RECURRING_BILLING', "Cancelled recurring billing"),
    ('PROBLEM_WITH_REMITTANCE', "Problem with remittance"),
    ('OTHER', "Other"),
]
STAGES = [
    ('INQUIRY', "Inquiry"),
    ('CHARGEBACK', "Chargeback"),
    ('PRE_ARBITRATION', "Pre-arbitration"),
    ('ARBITRATION', "Arbitration"),
    ('OTHER', "Other"),
]
OUTCOMES = [
    ('RESOLVED_BUYER_FAVOUR', "Buyer's favour"),
    ('RESOLVED_SELLER_FAVOUR', "Seller's favour"),
    ('RESOLVED_WITH_PAYOUT', "Resolved with payout"),
    ('CANCELED_BY_BUYER', "Cancelled by buyer"),
    ('ACCEPTED', "Accepted"),
    ('DENIED', "Denied"),
    ('NONE', "None"),
    ('OTHER', "Other"),
]
UPSERT_KEYS = {
    'dispute_id', 'status', 'reason', 'stage', 'amount', 'currency', 'seller_response_due_date',
    'outcome', 'capture_id', 'reference', 'update_time', 'event_id',
}
TODO = 'mail.mail_activity_data_todo'


class PaypalDispute(models.Model):
    _name = 'paypal.dispute'
    _description = "PayPal Dispute"
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _order = 'seller_response_due_date, id desc'  # Ascending puts the disputes without deadline last.
    _rec_name = 'name'

    dispute_id = fields.Char(string="PayPal Dispute ID", required=True, readonly=True, copy=False)
    name = fields.Char(string="Name", required=True)
    status = fields.Selection(string="Status", selection=STATUSES, tracking=True, readonly=True)
    reason = fields.Selection(string="Reason", selection=REASONS, readonly=True)
    stage = fields.Selection(string="Stage", selection=STAGES, tracking=True, readonly=True)
    amount = fields.Monetary(string="Disputed Amount", currency_field='currency_id', readonly=True, tracking=True)
    currency_id = fields.Many2one(string="Currency", comodel_name='res.currency', readonly=True)
    seller_response_due_date = fields.Datetime(string="Response Due", readonly=True, tracking=True)
    outcome = fields.Selection(string="Outcome", selection=OUTCOMES, tracking=True, readonly=True)
    capture_id = fields.Char(string="PayPal Capture ID", readonly=True, index='btree_not_null')
    transaction_id = fields.Many2one(
        string="Transaction", comodel_name='payment.transaction', readonly=True, index='btree_not_null',
        ondelete='set null')
    sale_order_id = fields.Many2one(
        string="Sales Order", comodel_name='sale.order', compute='_compute_sale_order_id', store=True,
        index='btree_not_null')
    partner_id = fields.Many2one(string="Customer", comodel_name='res.partner', readonly=True)
    company_id = fields.Many2one(
        string="Company", comodel_name='res.company', required=True, index=True,
        default=lambda self: self.env.company)
    user_id = fields.Many2one(
        string="Responsible", comodel_name='res.users', tracking=True, domain=[('share', '=', False)])
    update_time = fields.Datetime(string="PayPal Update Time", readonly=True)
    last_event_id = fields.Char(string="Last PayPal Event", readonly=True)

    _sql_constraints = [
        ('dispute_id_unique', 'unique(dispute_id)', "A PayPal dispute is recorded only once."),
    ]

    @api.depends('transaction_id.sale_order_ids', 'transaction_id.source_transaction_id.sale_order_ids')
    def _compute_sale_order_id(self):
        for dispute in self:
            tx = dispute.transaction_id
            dispute.sale_order_id = (tx.sale_order_ids or tx.source_transaction_id.sale_order_ids)[:1]

    # === UPSERT (called in sudo by payment.transaction.paypal_bridge_upsert_dispute) === #

    @api.model
    def _paypal_bridge_upsert(self, values):
        """ Create or update a dispute from PayPal's data; see the README for `values`. """
        Tx = self.env['payment.transaction']
        values = Tx._paypal_bridge_check_values(values, UPSERT_KEYS)
        if 'dispute_id' not in values:
            raise ValidationError(_("values.dispute_id is required."))
        dispute_id = Tx._paypal_bridge_check_id(values.get('dispute_id'), 'dispute_id')
        update_time = parse_datetime(self.env, values.get('update_time'), 'update_time')
        dispute = self.search([('dispute_id', '=', dispute_id)], limit=1)
        if dispute and dispute.update_time and update_time and update_time < dispute.update_time:
            # Older news than what is stored: events may arrive in any order. An update with the
            # same time is applied: PayPal's times have whole seconds, so two changes within one
            # second share it, and the service reads the dispute back from PayPal (current data).
            return {'result': 'unchanged', 'dispute_id': dispute_id, 'id': dispute.id}

        vals, unknown = self._paypal_bridge_prepare_values(values, dispute)
        vals['update_time'] = update_time or (dispute.update_time if dispute else False)
        if dispute:
            old_status, old_due = dispute.status, dispute.seller_response_due_date
            changes = {key: value for key, value in vals.items() if dispute._paypal_bridge_differs(key, value)}
            if not changes:
                return {'result': 'unchanged', 'dispute_id': dispute_id, 'id': dispute.id}
            dispute.write(changes)
            result = 'updated'
        else:
            old_status = old_due = False
            changes = vals
            dispute = self.create(vals)
            dispute.user_id = dispute._paypal_bridge_responsible()
            result = 'created'
        # News and to-dos are authored by OdooBot, as Odoo's own automation does: the service's
        # technical user has no e-mail address, so mail authored by it could not be sent.
        bot = dispute.with_user(SUPERUSER_ID)
        for field_name, message in unknown.items():
            if field_name in changes:
                bot.message_post(body=message)
        bot._paypal_bridge_follow_up(result == 'created', old_status, old_due)
        return {'result': result, 'dispute_id': dispute_id, 'id': dispute.id}

    @api.model
    def _paypal_bridge_prepare_values(self, values, dispute):
        """ Return (field values, {field: chatter note} for PayPal codes this module does not know). """
        Tx = self.env['payment.transaction']
        unknown = {}
        vals = {'dispute_id': values['dispute_id'].strip()}
        if 'event_id' in values:
            vals['last_event_id'] = values['event_id']
        for key, selection in (('status', STATUSES), ('reason', REASONS), ('stage', STAGES), ('outcome', OUTCOMES)):
            if key in values:
                vals[key] = values[key] if values[key] in dict(selection) else 'OTHER'
                if vals[key] != values[key]:
                    unknown[key] = _("PayPal sent a %(field)s this module does not know: %(value)s.",
                                     field=key, value=values[key])
        if 'seller_response_due_date' in values:
            vals['seller_response_due_date'] = parse_datetime(
                self.env, values['seller_response_due_date'], 'seller_response_due_date')
        if 'currency' in values:
            currency = self.env['res.currency'].with_context(active_test=False).search(
                [('name', '=', values['currency'])], limit=1)
            if not currency:
                raise ValidationError(_("Unknown currency %r.", values['currency']))
            vals['currency_id'] = currency.id
        if 'amount' in values:
            amount = parse_amount(self.env, values['amount'], 'amount', allow_zero=True)
            currency = self.env['res.currency'].browse(vals.get('currency_id')) or dispute.currency_id
            if not currency:
                raise ValidationError(_("A dispute amount needs its currency."))
            check_amount_precision(amount, currency, 'amount')
            vals['amount'] = float(amount)

        tx = Tx.browse()
        if 'capture_id' in values:
            vals['capture_id'] = Tx._paypal_bridge_check_id(values['capture_id'], 'capture_id')
            tx = Tx._paypal_bridge_search_capture(vals['capture_id'])
        if not tx and 'reference' in values:
            tx = Tx._paypal_bridge_search(reference=Tx._paypal_bridge_check_id(values['reference'], 'reference'))
        if tx and (not dispute or not dispute.transaction_id):
            vals.update({
                'transaction_id': tx.id,
                'partner_id': tx.partner_id.id,
                'company_id': tx.company_id.id,
            })
        if not dispute:
            vals['name'] = _("Dispute %s", vals['dispute_id'])
        return vals, unknown

    def _paypal_bridge_differs(self, field_name, value):
        current = self[field_name]
        if self._fields[field_name].type == 'many2one':
            return current.id != value
        if self._fields[field_name].type == 'monetary':
            return self.currency_id.compare_amounts(current, value) != 0
        return current != value

    def _paypal_bridge_responsible(self):
        self.ensure_one()
        return self.env['payment.provider']._paypal_bridge_responsible(
            self.sale_order_id, self.transaction_id.provider_id, self.company_id)

    def _paypal_bridge_follow_up(self, created, old_status, old_due):
        """ Activities for the responsible, and news on the sale order. """
        self.ensure_one()
        if self.status == 'RESOLVED':
            self.activity_feedback([TODO], feedback=_("Dispute resolved: %s", self._paypal_bridge_label('outcome')))
        elif created or (self.seller_response_due_date and self.seller_response_due_date != old_due):
            deadline = (self.seller_response_due_date or fields.Datetime.now()).date()
            summary = _("Answer PayPal dispute %s", self.dispute_id)
            # A new deadline moves the open to-do rather than adding a second one.
            rescheduled = not created and self.activity_reschedule([TODO], date_deadline=deadline)
            if not rescheduled and self.user_id:
                self.activity_schedule(TODO, date_deadline=deadline, summary=summary, user_id=self.user_id.id)
        order = self.sale_order_id
        if order and (created or self.status != old_status):
            if created:
                body = _("PayPal dispute %(dispute)s opened (%(reason)s), status: %(status)s.",
                         dispute=self.dispute_id, reason=self._paypal_bridge_label('reason'),
                         status=self._paypal_bridge_label('status'))
            else:
                body = _("PayPal dispute %(dispute)s is now: %(status)s.",
                         dispute=self.dispute_id, status=self._paypal_bridge_label('status'))
            order.message_post(body=body)

    def _paypal_bridge_label(self, field_name):
        return dict(self._fields[field_name]._description_selection(self.env)).get(self[field_name]) or _("unknown")
