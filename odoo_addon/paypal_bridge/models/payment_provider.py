import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.addons.base.models.res_users import check_identity

from odoo.addons.paypal_bridge import bridge_token

_logger = logging.getLogger(__name__)

# The technical user's key is long-lived on purpose (the service runs unattended); the form that
# shows the key also shows this expiry so that the operator can plan the rotation.
SERVICE_KEY_VALIDITY = timedelta(days=730)

FEE_ACCOUNT_TYPES = ('expense', 'expense_direct_cost')


class PaymentProvider(models.Model):
    _inherit = 'payment.provider'

    paypal_bridge_enabled = fields.Boolean(
        string="Use PayPal Bridge",
        help="Odoo no longer calls PayPal itself: the PayPal Bridge service creates, captures, "
             "refunds and voids payments and applies PayPal's webhooks to Odoo.",
        copy=False,
    )
    paypal_bridge_service_url = fields.Char(
        string="Service URL",
        help="Base URL at which this Odoo server reaches the PayPal Bridge service, "
             "e.g. http://paypal-bridge:8070.",
    )
    paypal_bridge_public_url = fields.Char(
        string="Public Service URL",
        help="Base URL at which shoppers' and users' browsers reach the service. "
             "Leave empty when it is the same as the Service URL.",
    )
    paypal_bridge_secret = fields.Char(
        string="Bridge Secret",
        help="The BRIDGE_SECRET shared with the service (at least 32 characters). "
             "It signs the tokens Odoo issues for browsers and for its own calls to the service.",
        groups='base.group_system',
        copy=False,
    )
    paypal_bridge_dispute_user_id = fields.Many2one(
        string="Dispute Responsible",
        comodel_name='res.users',
        domain=[('share', '=', False)],
        help="Receives the to-do activity of a PayPal dispute when its sale order has no salesperson.",
    )
    paypal_bridge_fee_account_id = fields.Many2one(
        string="PayPal Fee Account",
        comodel_name='account.account',
        domain=[('account_type', 'in', FEE_ACCOUNT_TYPES), ('deprecated', '=', False)],
        help="The expense account PayPal's fees are booked to, out of the account of the provider's "
             "journal, so that the journal shows what PayPal actually holds (payments net of fees). "
             "Reconciliation books each capture's fee here once. Enabling the bridge proposes the "
             "company's Bank Fees account, or creates a \"PayPal Fees\" expense account.",
    )

    paypal_bridge_credit_note_policy = fields.Selection(
        string="Credit Notes of Refunds",
        selection=[('post', "Post them"), ('draft', "Leave them in draft for review")],
        default='post', required=True,
        help="A PayPal refund of an invoiced order gets a credit note (the whole invoice, or its lines "
             "in proportion for a partial refund). Posted, it is reconciled with the refund payment at "
             "once; in draft, when someone posts it.",
    )

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        providers = super().create(vals_list)
        providers._paypal_bridge_ensure_journal()
        providers._paypal_bridge_ensure_fee_account()
        return providers

    def write(self, vals):
        result = super().write(vals)
        if vals.get('paypal_bridge_enabled'):
            # Only when the bridge is switched on: a journal or fee account changed later on
            # purpose stays as chosen (reconciliation then reports what does not add up).
            self._paypal_bridge_ensure_journal()
            self._paypal_bridge_ensure_fee_account()
        return result

    @api.constrains('paypal_bridge_enabled', 'paypal_bridge_service_url', 'paypal_bridge_secret')
    def _check_paypal_bridge_settings(self):
        for provider in self.sudo().filtered('paypal_bridge_enabled'):
            if provider.code != 'paypal':
                raise ValidationError(_("PayPal Bridge can only be enabled on a PayPal provider."))
            url = provider.paypal_bridge_service_url or ''
            if not url.startswith(('http://', 'https://')):
                raise ValidationError(_(
                    "Set the Service URL of %(provider)s (http:// or https://) before enabling "
                    "PayPal Bridge.", provider=provider.name,
                ))
            if len(provider.paypal_bridge_secret or '') < bridge_token.MIN_SECRET_LENGTH:
                raise ValidationError(_(
                    "Set a Bridge Secret of at least %(length)s characters on %(provider)s (the "
                    "same value as the service's BRIDGE_SECRET) before enabling PayPal Bridge.",
                    length=bridge_token.MIN_SECRET_LENGTH, provider=provider.name,
                ))

    @api.depends('paypal_bridge_enabled')
    def _compute_feature_support_fields(self):
        """ With the bridge, refunds and manual capture (authorize at checkout, capture later) go
        through the service, so Odoo's standard Refund/Capture/Void buttons can be offered. """
        super()._compute_feature_support_fields()
        self.filtered(lambda p: p.code == 'paypal' and p.paypal_bridge_enabled).update({
            'support_refund': 'partial',
            'support_manual_capture': 'partial',
        })

    def _paypal_make_request(self, endpoint, *args, **kwargs):
        """ Under the bridge only the service talks to PayPal: refuse any direct call. """
        if any(self.mapped('paypal_bridge_enabled')):
            raise ValidationError("PayPal: " + _(
                "PayPal Bridge is enabled on this provider, so Odoo does not call PayPal itself "
                "(request %(endpoint)s refused). The PayPal Bridge service makes every PayPal call.",
                endpoint=endpoint,
            ))
        return super()._paypal_make_request(endpoint, *args, **kwargs)

    # === BUSINESS METHODS === #

    @api.model
    def _paypal_bridge_responsible(self, order, provider, company):
        """ Who follows a PayPal matter up (a dispute, a refund to invoice): the sale order's
        salesperson when they work in invoicing or PayPal, else the provider's dispute responsible
        (any bridged provider's of the company when none is known), else the first PayPal manager. """
        readers = 'account.group_account_invoice,paypal_bridge.group_paypal_bridge_manager'
        salesperson = order.user_id
        if salesperson and salesperson.active and salesperson.has_groups(readers):
            return salesperson
        provider_user = provider.paypal_bridge_dispute_user_id
        if not provider_user:
            provider_user = self.search([
                ('code', '=', 'paypal'), ('paypal_bridge_enabled', '=', True),
                ('paypal_bridge_dispute_user_id', '!=', False), ('company_id', '=', company.id),
            ], limit=1).paypal_bridge_dispute_user_id
        if provider_user and provider_user.active:
            return provider_user
        managers = self.env.ref('paypal_bridge.group_paypal_bridge_manager').users
        return managers.filtered(lambda u: u.active and not u.share).sorted('id')[:1]

    def _paypal_bridge_statement_amounts(self, currency, amount, date):
        """ The amount fields of a statement line of `amount` in `currency` on this provider's
        journal: a foreign-currency line when the journal keeps another currency. """
        self.ensure_one()
        journal = self.journal_id
        company = journal.company_id
        journal_currency = journal.currency_id or company.currency_id
        if currency == journal_currency:
            return {'amount': amount}
        return {
            'amount': currency._convert(amount, journal_currency, company, date),
            'foreign_currency_id': currency.id,
            'amount_currency': amount,
        }

    def _paypal_bridge_fee_line(self, key, amount, currency, date, label):
        """ A statement line of this provider's journal for a PayPal fee (`amount` signed as it
        moved PayPal's balance) whose counterpart is the fee account: it books the fee, once, and
        leaves nothing in suspense. """
        self.ensure_one()
        st_line = self.env['account.bank.statement.line'].sudo().with_company(self.company_id).create({
            'journal_id': self.journal_id.id, 'date': date, 'payment_ref': label,
            'paypal_bridge_ledger_key': key,
            **self._paypal_bridge_statement_amounts(currency, amount, date),
        })
        no_sync = st_line.with_context(skip_account_move_synchronization=True)
        _liquidity, suspense, _other = no_sync._seek_for_lines()
        suspense.with_context(skip_account_move_synchronization=True).account_id = self.paypal_bridge_fee_account_id
        return st_line

    def _paypal_bridge_ensure_journal(self):
        """ Give every bridged provider a journal of its own for PayPal's balance, so that the
        journal's statement is PayPal's ledger and its balance can be checked against PayPal's.
        A journal shared with another payment provider, or one holding another account's bank
        statement (Odoo's default choice is the company's first bank journal), is replaced by a
        "PayPal" bank journal (code PYPL), found or created once per company. """
        for provider in self.filtered(lambda p: p.paypal_bridge_enabled and p.code == 'paypal'):
            journal = provider.journal_id
            if journal and not provider._paypal_bridge_journal_is_shared(journal):
                continue
            provider.journal_id = provider._paypal_bridge_paypal_journal()
            _logger.info("PayPal Bridge: provider %s books to journal %s", provider.id, provider.journal_id.display_name)

    def _paypal_bridge_journal_is_shared(self, journal):
        self.ensure_one()
        Line = self.env['account.payment.method.line'].sudo()
        other_providers = Line.search_count([
            ('journal_id', '=', journal.id), ('payment_provider_id', 'not in', [False, self.id])])
        other_statements = self.env['account.bank.statement.line'].sudo().search_count([
            ('journal_id', '=', journal.id), ('paypal_bridge_ledger_key', '=', False)], limit=1)
        return bool(other_providers or other_statements)

    def _paypal_bridge_paypal_journal(self):
        self.ensure_one()
        Journal = self.env['account.journal'].sudo().with_company(self.company_id)
        journal = Journal.search([('company_id', '=', self.company_id.id), ('type', '=', 'bank'), ('code', '=', 'PYPL')], limit=1)
        return journal or Journal.create({
            'name': "PayPal", 'type': 'bank', 'code': 'PYPL', 'company_id': self.company_id.id,
        })

    def _paypal_bridge_ensure_fee_account(self):
        """ Give every bridged provider without a fee account a sensible one, so that PayPal's
        fees are never skipped for want of a setting. A company without a chart of accounts gets
        none (reconciliation then reports the fees as not booked). """
        for provider in self.filtered(lambda p: p.paypal_bridge_enabled and not p.paypal_bridge_fee_account_id):
            account = provider._paypal_bridge_default_fee_account()
            if account:
                provider.paypal_bridge_fee_account_id = account
                _logger.info("PayPal Bridge: provider %s books PayPal's fees to %s", provider.id, account.display_name)

    def _paypal_bridge_default_fee_account(self):
        """ The company's Bank Fees account from its chart of accounts, else a "PayPal Fees"
        expense account (found, or created once). """
        self.ensure_one()
        company = self.company_id
        if not company.chart_template:
            return self.env['account.account']
        Account = self.env['account.account'].sudo().with_company(company)
        usable = [('company_ids', 'in', company.id), ('account_type', 'in', FEE_ACCOUNT_TYPES), ('deprecated', '=', False)]
        bank_fees = self.env['account.chart.template'].with_company(company).ref('expense_finance', raise_if_not_found=False)
        if bank_fees and bank_fees.filtered_domain(usable):
            return bank_fees
        account = Account.search(usable + [('name', '=', "PayPal Fees")], limit=1)
        if account:
            return account
        sample = Account.search(usable, order='code desc', limit=1)
        return Account.create({
            'name': "PayPal Fees",
            'code': Account._search_new_account_code(sample.code if sample else '6200'),
            'account_type': 'expense',
            'company_ids': [(6, 0, company.ids)],
        })

    def _paypal_bridge_public_url(self):
        self.ensure_one()
        return (self.paypal_bridge_public_url or self.paypal_bridge_service_url or '').rstrip('/')

    def _paypal_bridge_issue_token(self, typ, scopes, ref=None):
        """ Sign a `pbt1` token for the current user with the provider's shared secret. """
        self.ensure_one()
        secret = self.sudo().paypal_bridge_secret
        if not secret:
            raise UserError(_("PayPal Bridge: set the Bridge Secret on the provider %s.", self.name))
        return bridge_token.issue(
            secret, typ, sub=self.env.uid, db=self.env.cr.dbname, scopes=scopes, ref=ref,
        )

    # === ACTION METHODS === #

    @check_identity
    def action_paypal_bridge_generate_service_key(self):
        """ Create an RPC API key for the service's technical user and show it once. """
        if not self.env.user.has_groups('base.group_system,paypal_bridge.group_paypal_bridge_manager'):
            raise AccessError(_("Only PayPal managers and administrators can generate the service key."))
        key, user, expiration = self._paypal_bridge_generate_service_key()
        base_url = self.get_base_url().rstrip('/')
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'paypal.bridge.service.key',
            'name': _("PayPal Bridge service key"),
            'views': [(False, 'form')],
            'target': 'new',
            'context': {
                'default_key': key,
                'default_login': user.login,
                'default_expiration_date': fields.Datetime.to_string(expiration),
                'default_env_snippet': (
                    f"ODOO_URL={base_url}\nODOO_DB={self.env.cr.dbname}\n"
                    f"ODOO_LOGIN={user.login}\nODOO_API_KEY={key}"
                ),
            },
        }

    def _paypal_bridge_generate_service_key(self):
        """ Return (key, technical user, expiration datetime) for a new global RPC key. """
        user = self.env.ref('paypal_bridge.user_paypal_bridge_service', raise_if_not_found=False)
        if not user or not user.active:
            raise UserError(_(
                "The technical user \"paypal-bridge-service\" is missing or archived; upgrade the "
                "PayPal Bridge module or unarchive the user."
            ))
        expiration = fields.Datetime.now().replace(microsecond=0) + SERVICE_KEY_VALIDITY
        # `_generate` creates the key for env.user; sudo lifts the per-group maximum duration.
        key = self.env['res.users.apikeys'].with_user(user).sudo()._generate(
            None, _("PayPal Bridge service (created by %s)", self.env.user.login), expiration,
        )
        _logger.info("PayPal Bridge: API key generated for %s by user #%s", user.login, self.env.uid)
        return key, user, expiration
