"""Routes as data: method, path, who may call, the schemas of body, query and answer, and a
handler that makes one call to a service. :class:`Api` validates, dispatches and renders."""
from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate
from marshmallow.decorators import VALIDATES_SCHEMA
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from gateway.auth import EdgeAuth, Principal, require_kind
from gateway.dumping import dumper
from gateway.fields import apply_rules, holds_nul
from gateway.metrics import HTTP_LATENCY, HTTP_REQUESTS
from gateway.problems import flatten, problem_response
from gateway.rendering import render
from ponte.contracts.forms import FORM_ERRORS
from ponte.errors import BadRequest, InvalidInput, NotFound, UnsupportedMediaType
from ponte.rpc import RemoteCall

Handler = Callable[["Call"], Any]
CsvTable = Callable[[Any], tuple[list[str], list[list[Any]]]]
# a query is text: these spell a boolean there (in a JSON body only true and false do)
QUERY_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True,
                  "false": False, "0": False, "no": False, "off": False}
UNKNOWN_FIELD = "unknown field"  # API.md's words
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    """JSON numbers are finite: ``1e999`` would otherwise become infinity."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is out of range")
    return value


class Input(Schema):
    """Base of request schemas. A field the schema does not name is refused ("unknown field"),
    in nested objects too; every field has the rules of :mod:`gateway.fields`; and every error
    comes in one answer: schema-level checks run even when some fields failed (on the fields
    that passed), and nothing is checked after loading."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": UNKNOWN_FIELD}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        apply_rules(field_obj)

    def _invoke_schema_validators(self, *, error_store: Any, pass_collection: bool, data: Any,
                                  original_data: Any, many: bool, partial: Any,
                                  field_errors: bool = False, unknown: Any) -> None:
        for attr_name, hook_many, options in self._hooks[VALIDATES_SCHEMA]:
            if hook_many != pass_collection:
                continue
            validator = getattr(self, attr_name)
            if field_errors:
                validator = _on_what_passed(validator, self._failed(error_store.errors))
            items = zip(data, original_data, strict=True) if many and not pass_collection \
                else [(data, original_data)]
            for index, (item, original) in enumerate(items):
                self._run_validator(validator, item, original_data=original,
                                    error_store=error_store, many=many, partial=partial,
                                    unknown=unknown, pass_original=options.get("pass_original",
                                                                               False),
                                    index=index if many and not pass_collection else None)

    def _failed(self, errors: dict) -> set[str]:
        """The attribute names and data keys of the fields in ``errors``."""
        keys = {str(key) for key in errors}
        return keys | {name for name, field in self.load_fields.items()
                       if (field.data_key or name) in keys}


def _on_what_passed(validator: Callable[..., Any], failed: set[str]) -> Callable[..., Any]:
    """A schema validator run on the fields that loaded while ``failed`` ones did not: one that
    asks for a failed field has nothing to say (its verdict would judge a value that is not
    there: "give a name or an e-mail" when the name was given but wrong)."""
    def run(data: Any, *args: Any, **kwargs: Any) -> Any:
        seen = _Watched(data) if isinstance(data, dict) else data
        try:
            return validator(seen, *args, **kwargs)
        except ValidationError:
            if isinstance(seen, _Watched) and seen.asked & failed:
                return None
            raise
        except (KeyError, TypeError, AttributeError, ValueError):
            return None
    return run


class _Watched(dict):
    """A dict that remembers which keys were asked for."""

    def __init__(self, data: dict) -> None:
        super().__init__(data)
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)


def _merged(first: Any, second: Any) -> Any:
    if first is None:
        return second
    if isinstance(first, list) and isinstance(second, list):
        return first + second
    return second


class PageQuery(Input):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)


@dataclass(eq=False)
class Route:
    method: str
    path: str
    handler: Handler
    public: bool = False
    kinds: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: Schema | None = None
    status: int = 200
    summary: str = ""
    tag: str = ""
    raw_body: bool = False
    idempotent: bool = False
    csv: CsvTable | None = None
    forward_errors: bool = False
    """The service adds rules of its own to this form: a refused body travels to it as its
    valid part plus ``FORM_ERRORS``, and it answers every error together (API.md: every field
    error in one answer). The schema stays the only place shapes are checked."""
    endpoint: str = field(init=False)

    def __post_init__(self) -> None:
        self.endpoint = f"{self.method} {self.path}"
        self.body_schema = self.body() if self.body else None
        self.query_schema = self.query() if self.query else None
        self.dump = dumper(self.response) if self.response is not None else None

    @property
    def rule(self) -> str:
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


@dataclass
class Call:
    """What a handler gets: the validated input, the caller and a way to reach services."""

    request: Request
    params: dict[str, str]
    body: dict[str, Any]
    query: dict[str, Any]
    principal: Principal | None
    services: RemoteCall
    gateway: Any
    idempotency: dict | None = None

    def rpc(self, service: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.services(service, method, *args, **kwargs)

    @property
    def caller(self) -> dict:
        """The caller as services receive it (they re-check ownership on their side)."""
        return self.principal.as_context() if self.principal else {}

    def caller_with_grants(self) -> dict:
        """The caller plus ``acting_for`` (provider id → roles), for a service that decides
        itself who may see a provider's data. A provider costs nothing; a secretary's grants
        come from the permission cache."""
        grants = self.gateway.permissions.acting_for(self) if self.principal else {}
        return {**self.caller,
                "acting_for": {provider: sorted(roles) for provider, roles in grants.items()}}

    def require_provider_role(self, provider_id: str, *roles: str) -> None:
        """Provider side: the provider itself, or a secretary holding one of ``roles`` for it.
        Someone unrelated to the provider gets 404 (it may not know the provider exists)."""
        self.gateway.permissions.require(self, provider_id, roles)


class Api:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self._map: Map | None = None

    def route(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method, path, handler, **options))
            self._map = None
            return handler
        return register

    @property
    def url_map(self) -> Map:
        if self._map is None:
            self._map = Map([Rule(r.rule, methods=[r.method], endpoint=r) for r in self.routes],
                            strict_slashes=False, merge_slashes=False)
        return self._map

    def dispatch(self, request: Request, gateway: Any, services: RemoteCall,
                 auth: EdgeAuth) -> Response:
        """Answer ``request``, within the rate limits of ``gateway.limits`` when the gateway has
        them (a request a page makes on its client's behalf counts against that client)."""
        limits = getattr(gateway, "limits", None)
        if limits is not None:
            refused = limits.check(request, self, auth, getattr(gateway, "client_environ", None))
            if refused is not None:
                return refused
        started = time.perf_counter()
        endpoint = "unmatched"
        try:
            route, params = self.url_map.bind_to_environ(request.environ).match()
            endpoint = route.path
            response = self._handle(route, params, request, gateway, services, auth)
        except HTTPException as exc:
            response = problem_response(exc)
        except Exception as exc:  # every error becomes a problem document, never a trace
            response = problem_response(exc)
        HTTP_REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        HTTP_LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - started)
        return response

    def _handle(self, route: Route, params: dict[str, str], request: Request, gateway: Any,
                services: RemoteCall, auth: EdgeAuth) -> Response:
        principal = None
        if not route.public:
            principal = auth.authenticate(request.headers.get("Authorization"))
            require_kind(principal, route.kinds, route.roles)
        unknown = {name: ["Must not contain the NUL character."]
                   for name, value in params.items() if holds_nul(value)}
        if unknown:
            raise NotFound("Not found.", unknown)
        raw = None if route.raw_body else self._json(request, route)
        query, body = self._inputs(route, request.args, raw)
        call = Call(request, params, body, query, principal, services, gateway,
                    idempotency=self._idempotency(route, request, principal, raw))
        result = route.handler(call)
        return render(route, result, request)

    def _inputs(self, route: Route, args: MultiDict, raw: Any) -> tuple[dict, dict]:
        """The loaded query and body, or one 422 naming every field error of both (query
        parameters the route does not know are ignored: links carry their own)."""
        errors: dict[str, Any] = {}
        query: dict[str, Any] = {}
        body: dict[str, Any] = {}
        try:
            query = self._load(route.query_schema, self._query(route.query_schema, args),
                               unknown=EXCLUDE)
        except ValidationError as exc:
            errors.update(exc.messages if isinstance(exc.messages, dict)
                          else {"_query": exc.messages})
        if not route.raw_body:
            try:
                body = self._load(route.body_schema, raw)
            except ValidationError as exc:
                messages = (exc.messages if isinstance(exc.messages, dict)
                            else {"_body": exc.messages})
                if route.forward_errors and not errors and isinstance(exc.valid_data, dict):
                    body = {**exc.valid_data, FORM_ERRORS: flatten(messages)}
                else:
                    for key, message in messages.items():
                        errors[key] = _merged(errors.get(key), message)
        if errors:
            raise ValidationError(errors)
        return query, body

    @staticmethod
    def _query(schema: Schema | None, args: MultiDict) -> dict[str, Any]:
        """Query parameters: a repeated one is a list where the schema has a list field, and a
        422 anywhere else (never silently the first value)."""
        by_name = {f.data_key or name: f for name, f in schema.load_fields.items()} \
            if schema is not None else {}
        data: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for key in args.keys():
            values = args.getlist(key)
            if isinstance(by_name.get(key), fields.List):
                data[key] = values
            elif len(values) > 1 and key in by_name:
                errors[key] = ["Give this parameter once."]
            elif isinstance(by_name.get(key), fields.Boolean):
                data[key] = QUERY_BOOLEANS.get(values[0].lower(), values[0])
            else:
                data[key] = values[0]
        if errors:
            raise ValidationError(errors)
        return data

    @staticmethod
    def _idempotency(route: Route, request: Request, principal: Principal | None,
                     body: Any) -> dict | None:
        """What a service needs to answer a retried create once: who, the key, and a hash of
        the request (another body under the same key is a 409 there)."""
        key = request.headers.get("Idempotency-Key") if route.idempotent else None
        if key is None:
            return None
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise InvalidInput("Idempotency-Key must be 1 to 255 printable ASCII characters.",
                               {"Idempotency-Key": ["1 to 255 printable ASCII characters."]})
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(f"{route.endpoint}\n{request.path}\n{canonical}".encode())
        return {"account_id": principal.account_id if principal else "anonymous", "key": key,
                "fingerprint": digest.hexdigest()}

    @staticmethod
    def _load(schema: Schema | None, data: Any, unknown: str | None = None) -> dict[str, Any]:
        if schema is None:
            return {}
        if not isinstance(data, dict):
            raise InvalidInput("The JSON body must be an object.",
                               {"_body": ["Must be a JSON object."]})
        return schema.load(data, unknown=unknown)

    @staticmethod
    def _json(request: Request, route: Route) -> Any:
        if route.body_schema is None:
            return {}
        raw = request.get_data(cache=False)
        if not raw.strip():
            return {}
        if not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
            raise UnsupportedMediaType("Send the body as application/json.")
        try:
            data = json.loads(raw, parse_constant=_not_json, parse_float=_finite)
            json.dumps(data, ensure_ascii=False).encode()  # lone surrogates ("\ud800") are not text
            return data
        except (ValueError, RecursionError):  # UnicodeError is a ValueError; deep nesting recurses
            raise BadRequest("The body is not valid JSON.",
                             {"_body": ["Must be valid JSON text in UTF-8."]}) from None


def combine(*apis: Api) -> Api:
    """One table from the per-area route tables."""
    whole = Api()
    for part in apis:
        whole.routes.extend(part.routes)
    return whole
