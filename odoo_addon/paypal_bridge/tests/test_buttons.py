""" Odoo's standard Refund/Capture/Void buttons under the bridge. The remote service is replaced by
a patched `requests.post` here; the real end-to-end path is tested with the service itself. """
from unittest.mock import patch

import requests

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.paypal_bridge import bridge_token
from odoo.addons.paypal_bridge.tests.common import BRIDGE_SECRET, PaypalBridgeCommon

POST = 'odoo.addons.paypal_bridge.models.payment_transaction.requests.post'


class FakeResponse:

    def __init__(self, status, body):
        self.status_code = status
        self.ok = 200 <= status < 300
        self._body = body

    def json(self):
        if self._body is None:
            raise ValueError("no JSON")
        return self._body


@tagged('post_install', '-at_install')
class TestButtons(PaypalBridgeCommon):

    def _done_tx(self):
        tx = self._create_order_tx()
        self._capture(tx, f'CAP-{tx.id}')
        return tx

    def _authorized_tx(self):
        tx = self._create_order_tx()
        self.Service.paypal_bridge_apply_payment(tx.reference, 'authorized', {'authorization_id': f'AUTH-{tx.id}'})
        return tx

    def _refund_through_wizard(self, tx, amount):
        wizard = self.env['payment.refund.wizard'].with_user(self.accountant).with_context(
            active_model='account.payment', active_id=tx.payment_id.id,
        ).create({'amount_to_refund': amount})
        self.assertEqual(wizard.support_refund, 'partial')
        wizard.action_refund()

    def _check_call(self, mocked, operation, tx):
        (url,), kwargs = mocked.call_args
        self.assertEqual(url, f'http://bridge.test:8070/v1/operations/{operation}')
        self.assertIsInstance(kwargs['timeout'], tuple)
        token = kwargs['headers']['Authorization'].removeprefix('Bearer ')
        payload = bridge_token.verify(BRIDGE_SECRET, token, typ='server')
        self.assertEqual((payload['scp'], payload['ref'], payload['db']),
                         (['operations'], tx.reference, self.env.cr.dbname))
        self.assertEqual(payload['exp'] - payload['iat'], 60)
        return kwargs['json'], payload

    def test_refund_button_calls_the_service_and_books_its_answer(self):
        tx = self._done_tx()
        with patch(POST, return_value=FakeResponse(201, {
            'refund_id': 'REF-BTN', 'status': 'COMPLETED', 'amount': '100.00', 'currency': tx.currency_id.name,
        })) as mocked:
            self._refund_through_wizard(tx, 100.0)
        body, token = self._check_call(mocked, 'refund', tx)
        self.assertEqual(token['sub'], self.accountant.id)
        self.assertEqual({k: body[k] for k in ('reference', 'capture_id', 'amount', 'currency')},
                         {'reference': tx.reference, 'capture_id': tx.paypal_capture_id, 'amount': '100.00',
                          'currency': tx.currency_id.name})
        self.assertTrue(body['request_id'].startswith('odoo-'))
        children = tx.child_transaction_ids
        self.assertEqual(len(children), 1, "no extra draft child next to the booked refund")
        self.assertEqual((children.paypal_refund_id, children.amount, children.state), ('REF-BTN', -100.0, 'done'))
        self.assertEqual(children.payment_id.payment_type, 'outbound')
        self.assertEqual(tx.paypal_refund_status, 'partially_refunded')
        # The webhook that follows finds it booked.
        self.assertEqual(self._refund(tx, 'REF-BTN', '100.00')['result'], 'unchanged')

    def test_request_id_is_reused_after_a_failure_and_renewed_after_a_success(self):
        tx = self._done_tx()
        with patch(POST, side_effect=requests.exceptions.ReadTimeout('slow')) as mocked, \
                self.assertRaisesRegex(UserError, 'did not answer in time'):
            tx.sudo()._send_refund_request(10.0)
        failed_id = mocked.call_args.kwargs['json']['request_id']
        ok = FakeResponse(201, {'refund_id': 'REF-R1', 'status': 'COMPLETED', 'amount': '10.00',
                                'currency': tx.currency_id.name})
        with patch(POST, return_value=ok) as mocked:
            tx.sudo()._send_refund_request(10.0)
        self.assertEqual(mocked.call_args.kwargs['json']['request_id'], failed_id)
        ok._body = dict(ok._body, refund_id='REF-R2')
        with patch(POST, return_value=ok) as mocked:
            tx.sudo()._send_refund_request(10.0)
        self.assertNotEqual(mocked.call_args.kwargs['json']['request_id'], failed_id)
        self.assertEqual(len(tx.child_transaction_ids), 2)

    def test_paypal_refusal_is_explained(self):
        tx = self._done_tx()
        refusal = FakeResponse(422, {
            'error': 'paypal_unprocessable', 'message': 'The refund amount must be less than the capture.',
            'paypal': {'name': 'UNPROCESSABLE_ENTITY', 'debug_id': 'f00dcafe',
                       'issues': [{'issue': 'REFUND_AMOUNT_EXCEEDED', 'description': 'Too much.'}]},
        })
        with patch(POST, return_value=refusal), self.assertRaises(UserError) as caught:
            tx.sudo()._send_refund_request(10.0)
        message = str(caught.exception)
        for part in ('UNPROCESSABLE_ENTITY', 'f00dcafe', 'REFUND_AMOUNT_EXCEEDED', 'Too much.'):
            self.assertIn(part, message)
        self.assertFalse(tx.child_transaction_ids)

    def test_unreachable_service_and_bad_secret_are_explained(self):
        tx = self._done_tx()
        with patch(POST, side_effect=requests.exceptions.ConnectionError('refused')), \
                self.assertRaisesRegex(UserError, 'cannot be reached'):
            tx.sudo()._send_refund_request(10.0)
        unauthorized = FakeResponse(401, {'error': 'invalid_token', 'message': 'bad signature'})
        with patch(POST, return_value=unauthorized), self.assertRaisesRegex(UserError, 'BRIDGE_SECRET'):
            tx.sudo()._send_refund_request(10.0)
        with patch(POST, return_value=FakeResponse(502, None)), self.assertRaisesRegex(UserError, 'HTTP 502'):
            tx.sudo()._send_refund_request(10.0)
        self.assertFalse(tx.child_transaction_ids)

    def test_refund_above_what_is_left_is_refused_before_calling(self):
        tx = self._done_tx()
        with patch(POST) as mocked, self.assertRaisesRegex(UserError, 'can still be refunded'):
            tx.sudo()._send_refund_request(tx.amount + 1)
        mocked.assert_not_called()

    def test_full_capture_button(self):
        tx = self._authorized_tx()
        with patch(POST, return_value=FakeResponse(201, {
            'capture_id': 'CAP-BTN', 'status': 'COMPLETED', 'amount': self.money(tx.amount),
            'currency': tx.currency_id.name, 'fee': '3.00', 'net': self.money(tx.amount - 3),
        })) as mocked:
            wizard = self.env['payment.capture.wizard'].with_user(self.accountant).with_context(
                active_model='payment.transaction', active_ids=tx.ids).create({})
            wizard.action_capture()
        body, _token = self._check_call(mocked, 'capture', tx)
        self.assertEqual((body['authorization_id'], body['amount'], body['final_capture']),
                         (tx.paypal_authorization_id, self.money(tx.amount), True))
        self.assertEqual((tx.state, tx.paypal_capture_id, tx.paypal_fee), ('done', 'CAP-BTN', 3.0))
        self.assertFalse(tx.child_transaction_ids)
        self.assertTrue(tx.payment_id)

    def test_partial_capture_then_void_the_rest(self):
        tx = self._authorized_tx()
        answers = iter([
            FakeResponse(201, {'capture_id': 'CAP-PART', 'status': 'COMPLETED', 'amount': '200.00',
                               'currency': tx.currency_id.name}),
            FakeResponse(200, {'authorization_id': tx.paypal_authorization_id, 'status': 'VOIDED'}),
        ])
        with patch(POST, side_effect=lambda *args, **kwargs: next(answers)) as mocked:
            wizard = self.env['payment.capture.wizard'].with_user(self.accountant).with_context(
                active_model='payment.transaction', active_ids=tx.ids,
            ).create({'amount_to_capture': 200.0, 'void_remaining_amount': True})
            wizard.action_capture()
        (capture_url,), capture_kwargs = mocked.call_args_list[0]
        self.assertEqual((capture_kwargs['json']['amount'], capture_kwargs['json']['final_capture']), ('200.00', False))
        self.assertTrue(mocked.call_args_list[1].args[0].endswith('/v1/operations/void'))
        capture = tx.child_transaction_ids.filtered(lambda c: c.paypal_capture_id == 'CAP-PART')
        void = tx.child_transaction_ids - capture
        self.assertEqual((capture.state, capture.amount), ('done', 200.0))
        self.assertEqual((void.state, void.amount), ('cancel', tx.amount - 200))
        self.assertEqual(tx.state, 'done')

    def test_void_button(self):
        tx = self._authorized_tx()
        with patch(POST, return_value=FakeResponse(200, {'authorization_id': tx.paypal_authorization_id,
                                                         'status': 'VOIDED'})) as mocked:
            tx.with_user(self.accountant).action_void()
        body, _token = self._check_call(mocked, 'void', tx)
        self.assertEqual(body['authorization_id'], tx.paypal_authorization_id)
        self.assertEqual(tx.state, 'cancel')
        self.assertFalse(tx.child_transaction_ids)
