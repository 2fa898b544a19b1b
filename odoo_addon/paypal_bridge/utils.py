"""Conversions at the RPC boundary: amounts travel as decimal strings, dates as ISO 8601."""
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tools import float_repr


def format_amount(amount, currency):
    """Return `amount` as a string with the currency's decimal places ("10.00", "1000" for JPY)."""
    return float_repr(currency.round(amount), currency.decimal_places)


def parse_amount(env, value, label, allow_zero=False):
    """Return a positive Decimal (zero only with `allow_zero`) from a decimal string;
    ValidationError otherwise.

    Floats are refused on purpose: PayPal and the service exchange amounts as strings, and a float
    would already have lost the exact value.
    """
    if not isinstance(value, str):
        raise ValidationError(env._("%(label)s must be a decimal string such as \"10.00\", got %(value)r.",
                                label=label, value=value))
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise ValidationError(env._("%(label)s is not a decimal number: %(value)r.", label=label, value=value))
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(env._("%(label)s must be greater than zero, got %(value)r.", label=label, value=value))
    return amount


def check_amount_precision(amount, currency, label):
    """Refuse amounts with more decimals than the currency has (e.g. "1.001" USD, "10.5" JPY)."""
    if amount != round(amount, currency.decimal_places):
        raise ValidationError(currency.env._("%(label)s %(amount)s has more decimals than %(currency)s allows.",
                                label=label, amount=amount, currency=currency.name))


def parse_datetime(env, value, label):
    """Return a naive UTC datetime (Odoo's storage format) from an ISO 8601 string, or False."""
    if value in (None, False, ''):
        return False
    if not isinstance(value, str):
        raise ValidationError(env._("%(label)s must be an ISO 8601 string, got %(value)r.", label=label, value=value))
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(env._("%(label)s is not an ISO 8601 date-time: %(value)r.", label=label, value=value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def format_datetime(value):
    """Return an ISO 8601 UTC string ("2025-01-31T12:00:00Z") or False."""
    if not value:
        return False
    return fields.Datetime.to_datetime(value).strftime('%Y-%m-%dT%H:%M:%SZ')
