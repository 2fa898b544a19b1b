from odoo import fields, models
from odoo.tools import SQL


class AccountBankStatementLine(models.Model):
    _inherit = 'account.bank.statement.line'

    # PayPal's ledger in the PayPal journal: one statement line per PayPal transaction and one per
    # fee, each under a key of its own ("fee:<capture id>" for a capture's fee), so that whichever
    # path books a line first (the capture's webhook, or the import of PayPal's Transaction Search),
    # the other finds it instead of booking it again.
    paypal_bridge_ledger_key = fields.Char(
        string="PayPal Ledger Key", readonly=True, copy=False,
        help="Which PayPal ledger entry this line books (e.g. fee:<capture id>).")

    def init(self):
        super().init()
        self.env.cr.execute(SQL(
            "CREATE UNIQUE INDEX IF NOT EXISTS account_bank_statement_line_paypal_bridge_ledger_key_unique "
            "ON account_bank_statement_line (paypal_bridge_ledger_key) WHERE paypal_bridge_ledger_key IS NOT NULL"
        ))
