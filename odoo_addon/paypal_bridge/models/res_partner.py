from odoo import fields, models


class ResPartner(models.Model):
    _inherit = 'res.partner'

    paypal_payer_id = fields.Char(
        string="PayPal Payer ID",
        help="PayPal's id of this customer's account, set by the first PayPal payment; never "
             "overwritten afterwards.",
        index='btree_not_null',
        copy=False,
        readonly=True,
    )
