"""Appointments of manual 003: citizens book the dentist, who is notified and sees them among
today's and tomorrow's appointments."""
from __future__ import annotations

from ponte.demo.accounts import CARLA, DAVI, Person
from ponte.demo.world import World


def book(world: World, step: str, citizen: Person, days_from_today: int, hour: int,
         notes: str) -> None:
    """``citizen`` books the dentist at ``hour`` local time, ``days_from_today`` real days on."""
    world.ledger.once(step, lambda: {"id": world.call(
        citizen, "POST", f"/providers/{world.id_of('provider:dentist')}/appointments",
        {"starts_at": world.at(world.real_day(days_from_today), hour),
         "notes": notes})["id"]})


def carla_booked_for_today(world: World) -> None:
    """Booked last week for today at 16:00."""
    book(world, "appointment:carla", CARLA, 0, 16, "Avaliação para clareamento.")


def davi_books_for_tomorrow(world: World) -> None:
    """Booked today for tomorrow at 09:00, the dentist's first slot."""
    book(world, "appointment:davi", DAVI, 1, 9, "Sensibilidade no dente 14.")
