""" The entry points as the service reaches them: /jsonrpc, execute_kw, API key. """
import json

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger


@tagged('post_install', '-at_install')
class TestJsonRpc(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        paypal = cls.env['payment.provider'].search([('code', '=', 'paypal')], limit=1)
        cls.key, cls.service_user, _expiry = paypal._paypal_bridge_generate_service_key()

    def execute_kw(self, uid, password, model, method, args, kwargs=None):
        response = self.url_open('/jsonrpc', data=json.dumps({
            'jsonrpc': '2.0', 'method': 'call', 'id': 1,
            'params': {'service': 'object', 'method': 'execute_kw',
                       'args': [self.env.cr.dbname, uid, password, model, method, args, kwargs or {}]},
        }), headers={'Content-Type': 'application/json'})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_service_user_pings_with_its_api_key(self):
        answer = self.execute_kw(self.service_user.id, self.key, 'payment.transaction', 'paypal_bridge_ping', [])
        self.assertEqual(answer['result']['ok'], True)
        self.assertEqual(answer['result']['uid'], self.service_user.id)
        answer = self.execute_kw(self.service_user.id, self.key, 'payment.transaction', 'paypal_bridge_find',
                                 [], {'reference': 'no-such-reference'})
        self.assertIs(answer['result'], False)

    @mute_logger('odoo.http', 'odoo.addons.base.models.ir_model')
    def test_admin_and_other_methods_are_refused(self):
        admin = self.env.ref('base.user_admin')
        answer = self.execute_kw(admin.id, 'admin', 'payment.transaction', 'paypal_bridge_ping', [])
        self.assertEqual(answer['error']['data']['name'], 'odoo.exceptions.AccessError')
        for model, method, args in (
            ('sale.order', 'search_read', [[]]),
            ('payment.transaction', 'search_read', [[]]),
            ('payment.transaction', '_paypal_bridge_get', ['S00001']),
        ):
            with self.subTest(method=method, model=model):
                answer = self.execute_kw(self.service_user.id, self.key, model, method, args)
                self.assertEqual(answer['error']['data']['name'], 'odoo.exceptions.AccessError')
        answer = self.execute_kw(self.service_user.id, 'wrong-key', 'payment.transaction', 'paypal_bridge_ping', [])
        self.assertEqual(answer['error']['data']['name'], 'odoo.exceptions.AccessDenied')
