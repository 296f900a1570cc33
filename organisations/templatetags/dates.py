"""Dates as people read them: the year only when it is not this year ("3 februari", "3
februari 2025"), in the reader's language. {% load dates %} then {{ value|day }},
{{ value|day_short }}, {{ value|moment }} (with the hour) or {{ value|long_moment }}."""

import datetime

from django import template
from django.template.defaultfilters import date as format_date
from django.utils import timezone

register = template.Library()


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _format(value, without_year, with_year):
    if not value:
        return ""
    value = _local(value)
    this_year = value.year == timezone.localdate().year
    return format_date(value, without_year if this_year else with_year)


@register.filter
def day(value):
    return _format(value, "j F", "j F Y")


@register.filter
def day_short(value):
    return _format(value, "j M", "j M Y")


@register.filter
def moment(value):
    return _format(value, "D j M, H:i", "D j M Y, H:i")


@register.filter
def long_moment(value):
    return _format(value, "l j F, H:i", "l j F Y, H:i")
