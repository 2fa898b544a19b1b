"""What the back office's PayPal views (the OWL client action and the transaction form panel,
built from addon_static/src/backoffice) need from Python: an `admin` token for the logged-in
PayPal manager, and indexes for the fields their search box matches."""
import time

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.paypal_bridge import bridge_token

# Everything a PayPal manager may ask the service's admin API for. Only PayPal managers get a
# token at all: Invoicing users without that group are refused (the audit trail shows every
# PayPal id, error and action of every payment, which is what the group is for).
ADMIN_SCOPES = ('read', 'sync', 'capture', 'void', 'refund', 'replay')


class PaymentProvider(models.Model):
    _inherit = 'payment.provider'

    @api.model
    def paypal_bridge_admin_session(self):
        """ Issue the current user a short-lived `admin` token for the service's admin API.

        :return: {token, service_url (as browsers reach it, no trailing slash), expires_at (unix
                 seconds, never later than the token's own expiry), scopes}
        :raise AccessError: the user is not a PayPal manager
        :raise UserError: no PayPal provider of the current company uses the bridge
        """
        if not self.env.user.has_group('paypal_bridge.group_paypal_bridge_manager'):
            raise AccessError(_("Only PayPal managers can use the PayPal Bridge back office."))
        provider = self.sudo().search([
            ('code', '=', 'paypal'),
            ('paypal_bridge_enabled', '=', True),
            ('company_id', '=', self.env.company.id),
        ], limit=1)
        if not provider:
            raise UserError(_(
                "PayPal Bridge is not enabled for %(company)s: Invoicing → Configuration → Payment "
                "Providers → PayPal, tab PayPal Bridge.", company=self.env.company.name,
            ))
        service_url = provider._paypal_bridge_public_url()
        if not service_url:
            raise UserError(_("PayPal Bridge: set the Service URL on the provider %s.", provider.name))
        # Taken before signing, so that the answer never promises more time than the token has.
        issued_at = int(time.time())
        token = provider._paypal_bridge_issue_token('admin', ADMIN_SCOPES)
        return {
            'token': token,
            'service_url': service_url,
            'expires_at': issued_at + bridge_token.TOKEN_TYPES['admin'],
            'scopes': list(ADMIN_SCOPES),
        }


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'

    # The back office's search box matches the reference and the payer's e-mail with `ilike`
    # (the PayPal ids with `=`, served by the btree indexes of their own definitions): trigram
    # indexes let PostgreSQL answer those without reading the whole table.
    reference = fields.Char(index='trigram')
    paypal_payer_email = fields.Char(index='trigram')
