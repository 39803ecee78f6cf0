"""Identity endpoints (API.md "Identity"): each validates its input and makes one call to the
identity service."""
from __future__ import annotations

from werkzeug.wrappers import Response

from gateway import uploads
from gateway.api import Api, Call
from gateway.identity import schemas as s
from ponte import attachments, storage
from ponte.errors import Forbidden, NotFound, PonteError, Unauthenticated
from ponte.roles import ADMIN, COMMERCIAL, MANAGE_RELATIONSHIPS, OPERATOR

api = Api()
TAG = {"tag": "identity"}
MAX_IMAGE_BYTES = 5 * storage.MiB


def _identity(call: Call, method: str, *args: object, **kwargs: object) -> object:
    return call.rpc("identity", method, *args, **kwargs)


def _with_grants(call: Call, me: dict) -> dict:
    """A secretary acts for the providers relationships says (000); the rest comes from
    identity in one call."""
    if call.principal is not None and call.principal.kind == "secretary":
        me["acting_for"] = [{"provider_id": g["provider_id"], "legal_name": g.get("legal_name"),
                             "roles": sorted(g["roles"])}
                            for g in call.gateway.permissions.grants(call)]
    return me


# sessions
@api.route("POST", "/api/v1/sessions", public=True, body=s.LoginIn, response=s.SessionOut(),
           summary="Sign in with e-mail, CPF or CNPJ and password; 429 while locked", **TAG)
def login(call: Call) -> dict:
    return _identity(call, "login", call.body["login"], call.body["password"],
                     call.body["remember_me"])


@api.route("POST", "/api/v1/sessions/refresh", public=True, body=s.RefreshIn,
           response=s.SessionOut(), summary="Trade a refresh token (single use) for new tokens",
           **TAG)
def refresh(call: Call) -> dict:
    return _identity(call, "refresh", call.body["refresh_token"])


@api.route("DELETE", "/api/v1/sessions/current", status=204, summary="Sign out", **TAG)
def logout(call: Call) -> None:
    _identity(call, "logout", call.caller)


# one's own account
@api.route("GET", "/api/v1/me", response=s.MeOut(), summary="Who I am and for whom I act", **TAG)
def me(call: Call) -> dict:
    return _with_grants(call, _identity(call, "get_me", call.caller))


@api.route("PATCH", "/api/v1/me", body=s.MeUpdateIn, response=s.MeOut(),
           summary="Change my name or secondary e-mail", **TAG)
def update_me(call: Call) -> dict:
    return _with_grants(call, _identity(call, "update_me", call.caller, call.body))


@api.route("POST", "/api/v1/me/email", forward_errors=True,
           body=s.EmailChangeIn, response=s.MeOut(),
           summary="Change my e-mail (needs the current password)", **TAG)
def change_email(call: Call) -> dict:
    return _with_grants(call, _identity(call, "change_email", call.caller, call.body))


@api.route("POST", "/api/v1/me/password", forward_errors=True,
           body=s.PasswordChangeIn, status=204,
           summary="Change my password (needs the current one); other sessions end", **TAG)
def change_password(call: Call) -> None:
    _identity(call, "change_password", call.caller, call.body)


@api.route("DELETE", "/api/v1/me", forward_errors=True,
           body=s.CurrentPasswordIn, status=204,
           summary="Delete my profile (needs the current password)", **TAG)
def delete_me(call: Call) -> None:
    _identity(call, "delete_me", call.caller, call.body)


# registration
@api.route("POST", "/api/v1/secretaries", forward_errors=True,
           public=True, body=s.SecretaryIn, status=201,
           response=s.AccountOut(), summary="A secretary registers", **TAG)
def register_secretary(call: Call) -> dict:
    return _identity(call, "register_secretary", call.body)


@api.route("GET", "/api/v1/secretaries", kinds=("provider", "secretary"), query=s.SecretaryQuery,
           response=s.SecretaryPageOut(),
           summary="Find secretaries by CPF, e-mail or name prefix (3+ characters, e-mails "
                   "masked, 10 a page); providers and secretaries with manage_relationships",
           **TAG)
def find_secretaries(call: Call) -> dict:
    """Providers, and secretaries who manage relationships for some provider: the people who
    send invitations (000)."""
    if call.principal.kind == "secretary" and not any(
            MANAGE_RELATIONSHIPS in roles
            for roles in call.gateway.permissions.acting_for(call).values()):
        raise Forbidden("Only those who manage relationships for a provider may search.")
    return _identity(call, "find_secretaries", **call.query)


@api.route("POST", "/api/v1/citizens", forward_errors=True,
           public=True, body=s.CitizenIn, status=201,
           response=s.AccountOut(), summary="A citizen registers", **TAG)
def register_citizen(call: Call) -> dict:
    return _identity(call, "register_citizen", call.body)


@api.route("POST", "/api/v1/staff", roles=(ADMIN,), body=s.StaffIn, status=201,
           response=s.StaffOut(), summary="An admin creates a staff member", **TAG)
def create_staff(call: Call) -> dict:
    return _identity(call, "create_staff", call.caller, call.body)


@api.route("POST", "/api/v1/providers", roles=(OPERATOR,), body=s.ProviderIn, status=201,
           response=s.PreregisteredOut(), summary="An operator pre-registers a provider", **TAG)
def preregister_provider(call: Call) -> dict:
    return _identity(call, "preregister_provider", call.caller, call.body)


@api.route("GET", "/api/v1/registrations/{token}", public=True, response=s.RegistrationOut(),
           summary="What a registration link pre-fills", **TAG)
def get_registration(call: Call) -> dict:
    return _identity(call, "get_registration", call.params["token"])


@api.route("POST", "/api/v1/registrations/{token}", forward_errors=True,
           public=True, body=s.RegistrationIn,
           status=201, response=s.RegisteredOut(), summary="A provider site finishes registering",
           **TAG)
def complete_registration(call: Call) -> dict:
    return _identity(call, "complete_registration", call.params["token"], call.body)


@api.route("POST", "/api/v1/password-resets", public=True, body=s.PasswordResetRequestIn,
           status=202, summary="Ask for a password-reset link (202 whether or not the e-mail "
                               "exists)", **TAG)
def request_password_reset(call: Call) -> dict:
    _identity(call, "request_password_reset", call.body["email"])
    return {"detail": "If this e-mail belongs to an account, a link is on its way."}


@api.route("POST", "/api/v1/password-resets/{token}", forward_errors=True,
           public=True, body=s.PasswordResetIn,
           status=204, summary="Set a new password from a reset link", **TAG)
def reset_password(call: Call) -> None:
    _identity(call, "reset_password", call.params["token"], call.body)


# providers
def _optional_caller(call: Call) -> dict:
    """On a public path, the caller and whom it acts for when a valid token came along
    (operators and the provider's side also see a provider's status)."""
    header = call.request.headers.get("Authorization")
    if not header:
        return {}
    try:
        call.principal = call.gateway.auth.authenticate(header)
    except Unauthenticated:
        return {}
    return call.caller_with_grants()


@api.route("GET", "/api/v1/providers", public=True, query=s.ProviderQuery,
           response=s.ProviderListOut(),
           summary="Active providers by name (each word starts a word of the legal name, "
                   "ignoring case and accents), type and city, by legal name; operators also "
                   "see status and may filter by it", **TAG)
def list_providers(call: Call) -> dict:
    return _identity(call, "list_providers", _optional_caller(call), **call.query)


@api.route("GET", "/api/v1/providers/{id}", public=True, response=s.ProviderOut(),
           summary="A provider's public profile (an active provider; operators and its own "
                   "side also see others, and its status)", **TAG)
def get_provider(call: Call) -> dict:
    return _identity(call, "show_provider", _optional_caller(call), call.params["id"])


@api.route("PATCH", "/api/v1/providers/{id}/profile", kinds=("provider", "secretary"),
           body=s.ProfileIn, response=s.ProviderOut(),
           summary="Change the provider's profile (provider side, commercial)", **TAG)
def update_profile(call: Call) -> dict:
    call.require_provider_role(call.params["id"], COMMERCIAL)
    return _identity(call, "update_provider_profile", call.caller, call.params["id"], call.body)


@api.route("POST", "/api/v1/providers/{id}/images", kinds=("provider", "secretary"),
           raw_body=True, status=201, response=s.ImageOut(),
           summary="Add a jpg or png profile image of at most 5 MiB (provider side, commercial)",
           **TAG)
def add_image(call: Call) -> dict:
    provider_id = call.params["id"]
    call.require_provider_role(provider_id, COMMERCIAL)
    stored = uploads.receive_file(call.request, key_prefix=f"providers/{provider_id}/images",
                                  max_bytes=MAX_IMAGE_BYTES, allowed=storage.IMAGE_TYPES,
                                  owner=call.principal.account_id)
    try:
        return _identity(call, "add_provider_image", call.caller, provider_id,
                         {**uploads.upload_view(stored), "key": stored.key})
    except PonteError as exc:
        if exc.status < 500:  # refused, so never recorded: do not keep the file
            storage.store().delete(stored.key)
        raise


@api.route("DELETE", "/api/v1/providers/{id}/images/{image_id}", kinds=("provider", "secretary"),
           status=204, summary="Remove a profile image (provider side, commercial)", **TAG)
def remove_image(call: Call) -> None:
    call.require_provider_role(call.params["id"], COMMERCIAL)
    _identity(call, "remove_provider_image", call.caller, call.params["id"],
              call.params["image_id"])


@api.route("GET", "/api/v1/providers/{id}/images/{image_id}", public=True,
           summary="A provider's profile image", **TAG)
def image(call: Call) -> Response:
    provider_id, image_id = call.params["id"], call.params["image_id"]
    stored = None
    if attachments.is_uuid(provider_id) and attachments.is_uuid(image_id):
        stored = storage.store().info(f"providers/{provider_id}/images/{image_id}")
    if stored is None:
        raise NotFound("No such image.")
    return uploads.stream(stored, inline=True)

