"""How many places of a volunteer's capacity are taken, as a query expression on Volunteer.

What takes a place is a duo, and duos sit a layer above intake: `duos` registers the expression
at start-up (`duos/apps.py`), so intake never imports the room above it."""

from django.core.exceptions import ImproperlyConfigured

_taken_places = None


def register_taken_places(expression) -> None:
    """`expression()` returns a query expression on Volunteer: the places its duos hold."""
    global _taken_places
    _taken_places = expression


def taken_places():
    if _taken_places is None:
        raise ImproperlyConfigured("No room registered what takes a volunteer's place (duos).")
    return _taken_places()
