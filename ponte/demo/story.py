"""The demo's story, in the order it happens. Last week's part runs against a gateway whose
clock is set back (``PONTE_CLOCK_OFFSET_DAYS``), so that what was sent then is as old as it
looks: its audit is overdue today, its meeting and appointment fall today."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ponte.demo import appointments, attendance, authorizations, network
from ponte.demo.world import World


@dataclass(frozen=True)
class Phase:
    name: str
    days_ago: int
    steps: tuple[Callable[[World], None], ...]


LAST_WEEK = Phase("last week", 6, (
    network.operator_and_auditor,
    network.clinic_with_two_sites,
    network.dentist_with_profile_and_images,
    network.secretaries,
    network.sofia_works_for_both_providers,
    network.citizens,
    attendance.institution_with_manager,
    attendance.two_attendants,
    attendance.services,
    authorizations.last_weeks_requests,
    authorizations.payment_and_inquiry,
    network.bulletin_with_a_document,
    attendance.concluded_and_rated,
    attendance.rejected,
    attendance.in_progress_with_a_meeting_today,
    appointments.carla_booked_for_today,
))

TODAY = Phase("today", 0, (
    authorizations.todays_requests,
    authorizations.inquiry_answered,
    network.beatriz_is_invited,
    attendance.fresh_requests,
    appointments.davi_books_for_tomorrow,
))

PHASES: tuple[Phase, ...] = (LAST_WEEK, TODAY)


def tell(world: World, phase: Phase) -> None:
    """Every step of ``phase``; steps already in the ledger are skipped, so a restart (or a
    rerun after a failure) never makes anything twice."""
    for step in phase.steps:
        step(world)
    world.ledger.once(f"phase:{phase.name}", lambda: True)
