from odoo import fields, models
from odoo.tools import SQL


class AccountMove(models.Model):
    _inherit = 'account.move'

    # A PayPal fee entry (paypal_bridge_book_fee): which capture's fee it books, on which
    # transaction, and how much (in the transaction's currency). One posted entry per capture.
    paypal_bridge_fee_capture_id = fields.Char(
        string="PayPal Fee of Capture", readonly=True, copy=False,
        help="The PayPal capture whose fee this entry books.")
    paypal_bridge_fee_transaction_id = fields.Many2one(
        string="PayPal Fee Transaction", comodel_name='payment.transaction', readonly=True, copy=False,
        index='btree_not_null')
    paypal_bridge_fee_amount = fields.Monetary(
        string="PayPal Fee", currency_field='currency_id', readonly=True, copy=False)

    def init(self):
        super().init()
        # One fee entry per capture, even under concurrent requests: the database decides.
        self.env.cr.execute(SQL(
            "CREATE UNIQUE INDEX IF NOT EXISTS account_move_paypal_bridge_fee_capture_unique "
            "ON account_move (paypal_bridge_fee_capture_id) WHERE paypal_bridge_fee_capture_id IS NOT NULL"
        ))
