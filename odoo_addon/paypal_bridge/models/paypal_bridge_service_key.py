from odoo import fields, models


class PaypalBridgeServiceKey(models.AbstractModel):
    """ Shows a freshly generated service key once; nothing is stored (abstract model, the values
    come from the action's context), like Odoo's own res.users.apikeys.show. """
    _name = 'paypal.bridge.service.key'
    _description = "PayPal Bridge service key (shown once)"

    id = fields.Id()  # Needed by the form's onchange that fills the values from the context.
    key = fields.Char(readonly=True)
    login = fields.Char(readonly=True)
    expiration_date = fields.Datetime(readonly=True)
    env_snippet = fields.Text(readonly=True)
