{
    'name': "PayPal Bridge",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Payment Providers',
    'summary': "PayPal refunds, captures, voids, disputes and reconciliation through the PayPal Bridge service",
    'description': " ",  # Non-empty so that Odoo does not render README.md as the description.
    'license': 'LGPL-3',
    'depends': ['payment_paypal', 'website_sale', 'account_payment', 'mail'],
    'data': [
        'security/paypal_bridge_security.xml',
        'security/ir.model.access.csv',
        'data/paypal_bridge_service_user.xml',
        'views/payment_provider_views.xml',
        'views/payment_transaction_views.xml',
        'views/paypal_dispute_views.xml',
        'views/res_partner_views.xml',
        'views/paypal_bridge_service_key_views.xml',
        'views/paypal_bridge_menus.xml',
        'views/paypal_backoffice_views.xml',
        'views/payment_form_templates.xml',
    ],
    'assets': {
        # Written by the TypeScript build (`npm run build`); a glob that matches nothing only
        # makes ir.asset log a warning, so the module installs before the first build.
        'web.assets_frontend': ['paypal_bridge/static/src/checkout/**/*'],
        'web.assets_backend': ['paypal_bridge/static/src/backoffice/**/*'],
    },
    'installable': True,
}
