"""The citizen's rating after conclusion and its moderation (002, "Verificar Avaliações")."""
from __future__ import annotations

from ponte.caller import Caller
from ponte.contracts.attendance import APPROVED
from ponte.db import conflict_on_duplicate
from ponte.errors import Forbidden, NotFound
from ponte.service_layer import Context
from services.attendance import events, views
from services.attendance.repository import Repository
from services.attendance.usecases.requests import request_event
from services.attendance.usecases.who import (
    institution_or_404,
    is_attendant,
    is_manager,
    visible_request,
)

Ctx = Context[Repository]


def rate_request(ctx: Ctx, caller: Caller, request_id: str, score: int,
                 comment: str | None) -> dict:
    now = ctx.clock()
    with conflict_on_duplicate("This request is already rated."), ctx.unit() as uow:
        repo = uow.repo
        request = visible_request(repo, caller, request_id, lock=True)
        rating = request.rate(caller.account_id, score, comment,
                              repo.rating_of(request.id) is not None, now)
        repo.add_rating(rating)
        uow.publish(request_event(
            repo, "rating_submitted", request,
            [request.assigned_attendant_id] + repo.attendants(request.institution_id),
            **events.rating_submitted_extra(rating)))
        return views.rating_view(rating)


def institution_ratings(ctx: Ctx, caller: Caller, institution_id: str, status: str | None,
                        limit: int, cursor: str | None) -> dict:
    with ctx.reading() as uow:
        institution_or_404(uow.repo, institution_id)
        if not is_attendant(uow.repo, caller, institution_id):  # API.md: "its attendants"
            raise Forbidden("Only this institution's attendants see its ratings.")
        items, next_cursor = uow.repo.ratings_page(limit, cursor, institution_id=institution_id,
                                                   status=status)
        return views.page([views.rating_view(r) for r in items], next_cursor)


def moderate_rating(ctx: Ctx, caller: Caller, rating_id: str, approved: bool,
                    reason: str | None) -> dict:
    now = ctx.clock()
    with ctx.unit() as uow:
        repo = uow.repo
        rating = repo.rating(rating_id, lock=True)
        if rating is None:
            raise NotFound("No such rating.")
        if not is_attendant(repo, caller, rating.institution_id):
            if is_manager(repo, caller, rating.institution_id):
                raise Forbidden("Ratings are moderated by the institution's attendants.")
            raise NotFound("No such rating.")
        request = repo.request(rating.request_id)
        request.require_not_handled_by(caller.account_id)
        rating.moderate(caller.account_id, approved, reason, now)
        repo.save_rating(rating)
        uow.publish(request_event(repo, "rating_moderated", request, [rating.citizen_id],
                                  **events.rating_moderated_extra(rating)))
        return views.rating_view(rating)


def service_ratings(ctx: Ctx, service_id: str, limit: int, cursor: str | None) -> dict:
    """Public: approved ratings only, with their average and count."""
    with ctx.reading() as uow:
        service = uow.repo.service(service_id)
        if service is None or not service.is_published:
            raise NotFound("No such service.")
        average, count = uow.repo.rating_summary(service_id)
        items, next_cursor = uow.repo.ratings_page(limit, cursor, service_id=service_id,
                                                   status=APPROVED)
        return {"average": round(average, 2) if average is not None else None, "count": count,
                "items": [views.public_rating_view(r) for r in items],
                "next_cursor": next_cursor}
