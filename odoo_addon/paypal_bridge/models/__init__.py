from . import payment_provider
from . import payment_transaction
from . import payment_transaction_rpc
from . import payment_transaction_reconcile
from . import paypal_dispute
from . import paypal_bridge_service_key
from . import res_partner
from . import account_move
