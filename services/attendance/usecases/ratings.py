"""The citizen's rating after conclusion and its moderation (002, "Verificar Avaliações")."""
from __future__ import annotations

from ponte.db import conflict_on_duplicate
from ponte.errors import Forbidden, NotFound
from services.attendance import views
from services.attendance.repository import Repository
from services.attendance.usecases import (Attendance, institution_or_404, is_attendant, is_manager,
                                          publish, request_event, visible_request)


def rate_request(att: Attendance, caller: dict, request_id: str, score: int,
                 comment: str | None) -> dict:
    now = att.clock()
    with conflict_on_duplicate("This request is already rated."), att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = visible_request(repo, caller, request_id, lock=True)
        rating = request.rate(caller["account_id"], score, comment,
                              repo.rating_of(request.id) is not None, now)
        repo.add_rating(rating)
        service = repo.service(request.service_id)
        publish(tx, "rating_submitted", request_event(
            repo, request, service, rating_id=rating.id, score=rating.score,
            ratings_link=f"/api/v1/institutions/{request.institution_id}/ratings"),
            [request.assigned_attendant_id] + repo.attendants(request.institution_id))
        return views.rating_view(rating)


def institution_ratings(att: Attendance, caller: dict, institution_id: str,
                        status: str | None, limit: int, cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        institution_or_404(repo, institution_id)
        if not is_attendant(repo, caller, institution_id):  # API.md: "its attendants"
            raise Forbidden("Only this institution's attendants see its ratings.")
        items, next_cursor = repo.ratings_page(limit, cursor, institution_id=institution_id,
                                               status=status)
        return views.page([views.rating_view(r) for r in items], next_cursor)


def moderate_rating(att: Attendance, caller: dict, rating_id: str, approved: bool,
                    reason: str | None) -> dict:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        rating = repo.rating(rating_id, lock=True)
        if rating is None:
            raise NotFound("No such rating.")
        if not is_attendant(repo, caller, rating.institution_id):
            if is_manager(repo, caller, rating.institution_id):
                raise Forbidden("Ratings are moderated by the institution's attendants.")
            raise NotFound("No such rating.")
        rating.moderate(caller["account_id"], approved, reason, now)
        repo.save_rating(rating)
        request = repo.request(rating.request_id)
        publish(tx, "rating_moderated", request_event(
            repo, request, repo.service(rating.service_id), rating_id=rating.id,
            rating_status=rating.status,
            link=f"/api/v1/services/{rating.service_id}/ratings"), [rating.citizen_id])
        return views.rating_view(rating)


def service_ratings(att: Attendance, service_id: str, limit: int, cursor: str | None) -> dict:
    """Public: approved ratings only, with their average and count."""
    with att.db.read() as session:
        repo = Repository(session)
        service = repo.service(service_id)
        if service is None or not service.is_published:
            raise NotFound("No such service.")
        average, count = repo.rating_summary(service_id)
        items, next_cursor = repo.ratings_page(limit, cursor, service_id=service_id,
                                               status="approved")
        return {"average": round(average, 2) if average is not None else None, "count": count,
                "items": [views.public_rating_view(r) for r in items],
                "next_cursor": next_cursor}
