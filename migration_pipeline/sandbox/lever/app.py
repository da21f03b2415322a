"""The Lever sandbox: a local Lever Data API (`/v1`) over a generated org.

Same paths, query parameters, envelopes and error bodies as the reference documents, with the
behaviour a migration has to survive: Basic auth by key, keys without confidential access, the
non-confidential default of lists, offset tokens only valid if issued here, a token bucket per key,
maintenance (503 on everything but postings), OAuth with expiring access tokens, 422 downloads,
and live mutations that move `updatedAt`.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import token_bucket
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from migration_pipeline.sandbox.lever import mutations, queries
from migration_pipeline.sandbox.lever.auth import ApiKey, OAuthClient, OAuthError, OAuthServer, Principal
from migration_pipeline.sandbox.lever.inventory import inventory, sources, tags
from migration_pipeline.sandbox.lever.materialize import document_bytes, posting_of
from migration_pipeline.sandbox.lever.org import SUB_RESOURCE_KINDS, Json, LeverOrg
from migration_pipeline.sandbox.lever.paging import OffsetTokens, Page, PagingError, paginate, parse_limit
from migration_pipeline.sandbox.serving import (
    ADMIN_PREFIX,
    RunningServer,
    SandboxControls,
    admin_routes,
    build_app,
    content_disposition,
    credential_of,
    serve_in_thread,
)

API_PREFIX = "/v1"
MAINTENANCE_MESSAGE = "Lever is temporarily down for maintenance. Please retry your requests with exponential backoff."
CONFIDENTIAL_DENIED = "This API key does not have access to confidential data."
DOWNLOADABLE = {"resumes", "files", "offers"}


class LeverError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _in_maintenance_scope(method: str, path: str) -> bool:
    """Maintenance takes down the Data API but the postings endpoints (and not auth.lever.co)."""
    return path.startswith(f"{API_PREFIX}/") and not path.startswith(f"{API_PREFIX}/postings")


def lever_error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _not_found(kind: str, ident: str) -> LeverError:
    return LeverError(404, "ResourceNotFound", f"{kind} {ident} was not found")


@dataclass
class LeverSandboxConfig:
    keys: list[ApiKey]
    oauth_clients: list[OAuthClient] = field(default_factory=list)
    oauth_access_ttl_seconds: float = 3600.0
    rate: float = 10.0  # steady requests per second per key
    burst: int = 20  # bucket capacity
    # Lever documents neither a Retry-After header on its 429s nor the status of the "access
    # error" for confidential data: both are knobs so clients are tested against either answer.
    rate_limit_retry_after: bool = False
    confidential_denied_status: int = 403


@dataclass
class Call:
    request: Request
    principal: Principal
    params: queries.Params

    def path(self, name: str) -> str:
        return self.request.path_params[name]


Handler = Callable[[Call], Awaitable[Response]]


class LeverSandbox:
    """One sandboxed Lever account: the org, its keys, and the ASGI app that serves them."""

    def __init__(self, org: LeverOrg, config: LeverSandboxConfig) -> None:
        self.org = org
        self.config = config
        self.keys = {key.secret: key for key in config.keys}
        self.oauth = OAuthServer(
            clients={c.client_id: c for c in config.oauth_clients},
            access_ttl_seconds=config.oauth_access_ttl_seconds,
        )
        self.controls = SandboxControls(
            error_response=lever_error,
            in_maintenance_scope=_in_maintenance_scope,
            maintenance_message=MAINTENANCE_MESSAGE,
        )
        self.limiter = token_bucket.Limiter(config.rate, config.burst, token_bucket.MemoryStorage())
        self.tokens = OffsetTokens()
        self.clock = mutations.Clock(org.anchor_ms)
        self._version = 0  # moves on every mutation: invalidates cached sorted lists
        self._sorted_cache: OrderedDict[tuple[Any, ...], tuple[list[str], list[tuple[Any, ...]]]] = OrderedDict()
        self._derived: dict[str, tuple[int, Any]] = {}  # name -> (version, value), for whole-org summaries
        self.app = build_app(
            self._routes(),
            self.controls,
            exception_handlers={404: _unknown_path, 405: _method_not_allowed},
        )

    @contextmanager
    def serve(self) -> Iterator[RunningServer]:
        """Serve on an ephemeral loopback port for the duration of the block (tests, demo)."""
        with serve_in_thread(self.app) as running:
            yield running

    # ---- request plumbing ------------------------------------------------------------------------

    def _authenticate(self, request: Request) -> Principal:
        auth = request.headers.get("authorization", "")
        credential = credential_of({"authorization": auth})
        if credential is None:
            raise LeverError(401, "UnauthorizedError", "A valid API key was not provided with the request.")
        if auth.lower().startswith("bearer "):
            principal = self.oauth.principal(credential)
            if principal is None:
                raise LeverError(401, "UnauthorizedError", "The access token is invalid or has expired.")
            return principal
        key = self.keys.get(credential)
        if key is None:
            raise LeverError(401, "UnauthorizedError", "A valid API key was not provided with the request.")
        return Principal(bucket=f"key:{credential}", confidential=key.confidential, can_write=key.can_write)

    def _endpoint(self, handler: Handler, *, write: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                principal = self._authenticate(request)
                if not self.limiter.consume(principal.bucket):
                    response = lever_error(429, "TooManyRequests", "Rate limit exceeded. Please retry later.")
                    if self.config.rate_limit_retry_after:
                        response.headers["Retry-After"] = str(max(1, int(1 / self.config.rate + 0.999)))
                    return response
                if write and not principal.can_write:
                    raise LeverError(
                        403,
                        "Forbidden",
                        "Your Lever account settings don't authorize you to perform the requested operation.",
                    )
                call = Call(request, principal, queries.Params(request.query_params.multi_items()))
                if write:
                    self.org.pin_generated()  # what was generated stays as it was, whatever changes now
                return await handler(call)
            except LeverError as exc:
                return lever_error(exc.status, exc.code, exc.message)
            except mutations.MutationError as exc:
                return lever_error(exc.status, exc.code, exc.message)
            except (PagingError, queries.QueryError) as exc:
                return lever_error(400, "BadRequestError", str(exc))

        return run

    def _deny_confidential(self) -> LeverError:
        return LeverError(self.config.confidential_denied_status, "Forbidden", CONFIDENTIAL_DENIED)

    def _check_confidentiality_param(self, call: Call) -> str:
        wanted = queries.confidentiality_filter(call.params)
        if wanted != "non-confidential" and not call.principal.confidential:
            raise self._deny_confidential()
        return wanted

    def _check_visible(self, call: Call, obj: Json) -> None:
        if obj.get("confidentiality") == "confidential" and not call.principal.confidential:
            raise self._deny_confidential()

    def _page(self, call: Call, scope: str, items: list[Any], keys: list[tuple[Any, ...]], **kw: Any) -> Page:
        return paginate(
            items,
            keys,
            scope=scope,
            tokens=self.tokens,
            limit=parse_limit(call.params.one("limit")),
            offset=call.params.one("offset"),
            **kw,
        )

    def _expander(self) -> queries.Expander:
        return queries.Expander(self.org, self._contact_view)

    def _render(self, call: Call, kind: str) -> Callable[[Json], Json]:
        expander = self._expander()
        expand, include = call.params.all("expand"), call.params.all("include")
        return lambda obj: expander.apply(kind, obj, expand, include)

    def _simple_list(self, call: Call, scope: str, items: list[Json], kind: str = "") -> Response:
        keys = [(i,) for i in range(len(items))]
        page = self._page(call, scope, items, keys)
        return JSONResponse(page.envelope(self._render(call, kind) if kind else lambda item: item))

    def _mutated(self) -> None:
        self._version += 1
        self._sorted_cache.clear()

    def _current(self, name: str, compute: Callable[[LeverOrg], Any]) -> Any:
        """A whole-org summary (inventory, sources, tags), recomputed only after a mutation."""
        cached = self._derived.get(name)
        if cached is None or cached[0] != self._version:
            cached = (self._version, compute(self.org))
            self._derived[name] = cached
        return cached[1]

    # ---- reference lists -------------------------------------------------------------------------

    async def list_users(self, call: Call) -> Response:
        items = queries.select(self.org.users, queries.user_predicates(call.params))
        items.sort(key=lambda u: (u.get("createdAt") or 0, u["id"]))
        keys = [(u.get("createdAt") or 0, u["id"]) for u in items]
        return JSONResponse(self._page(call, "users", items, keys).envelope())

    async def list_stages(self, call: Call) -> Response:
        return self._simple_list(call, "stages", self.org.stages)

    async def list_archive_reasons(self, call: Call) -> Response:
        kind = call.params.choice("type", ("hired", "non-hired"))
        items = [r for r in self.org.archive_reasons if kind is None or r.get("type") == kind]
        return self._simple_list(call, "archive_reasons", items)

    async def list_sources(self, call: Call) -> Response:
        return self._simple_list(call, "sources", self._current("sources", sources))

    async def list_tags(self, call: Call) -> Response:
        return self._simple_list(call, "tags", self._current("tags", tags))

    async def list_feedback_templates(self, call: Call) -> Response:
        return self._simple_list(call, "feedback_templates", self.org.feedback_templates)

    async def list_form_templates(self, call: Call) -> Response:
        return self._simple_list(call, "form_templates", self.org.form_templates)

    async def disposition_stages(self, call: Call) -> Response:
        ranks = queries.stage_ranks(self.org)
        stages = [
            {"id": s["id"], "text": s["text"], "pipeline": queries.stage_pipeline(s["id"]), "rank": ranks[s["id"]],
             "hasInterview": queries.stage_pipeline(s["id"]) == "interview"}
            for s in self.org.stages
        ]  # fmt: skip
        reasons = [{k: r.get(k) for k in ("id", "text", "type", "status")} for r in self.org.archive_reasons]
        return JSONResponse({"data": {"stages": stages, "archiveReasons": reasons}})

    def _by_id(self, items: list[Json], kind: str) -> Callable[[Call], Awaitable[Response]]:
        async def get(call: Call) -> Response:
            ident = call.path("id")
            for item in items:
                if item.get("id") == ident:
                    self._check_visible(call, item)
                    return JSONResponse({"data": self._render(call, kind)(item)})
            raise _not_found(kind, ident)

        return get

    # ---- postings and requisitions ---------------------------------------------------------------

    async def list_postings(self, call: Call) -> Response:
        self._check_confidentiality_param(call)
        items = queries.select(self.org.postings, queries.posting_predicates(call.params))
        items.sort(key=lambda p: (p.get("createdAt") or 0, p["id"]))
        keys = [(p.get("createdAt") or 0, p["id"]) for p in items]
        return JSONResponse(self._page(call, "postings", items, keys).envelope(self._render(call, "postings")))

    async def list_requisitions(self, call: Call) -> Response:
        self._check_confidentiality_param(call)
        items = queries.select(self.org.requisitions, queries.requisition_predicates(call.params))
        items.sort(key=lambda r: (r.get("createdAt") or 0, r["id"]))
        keys = [(r.get("createdAt") or 0, r["id"]) for r in items]
        return JSONResponse(self._page(call, "requisitions", items, keys).envelope(self._render(call, "requisitions")))

    async def create_posting(self, call: Call) -> Response:
        body = await _json_body(call.request)
        posting = mutations.create_posting(self.org, body, call.params.one("perform_as"), self.clock.now())
        self._mutated()
        return JSONResponse({"data": posting}, status_code=201)

    async def create_user(self, call: Call) -> Response:
        body = await _json_body(call.request)
        user = mutations.create_user(self.org, body, self.clock.now())
        self._mutated()
        return JSONResponse({"data": user}, status_code=201)

    # ---- contacts --------------------------------------------------------------------------------

    def _contact_view(self, contact_id: str) -> Json:
        contact = self.org.contacts.get(contact_id)
        if contact is None:
            return {"id": contact_id}
        return {
            "id": contact["id"],
            "name": contact["name"],
            "headline": contact["headline"],
            "isAnonymized": contact.get("isAnonymized", False),
            "location": {"name": contact["location"]} if contact.get("location") else None,
            "emails": contact["emails"],
            "phones": contact["phones"],
        }

    async def get_contact(self, call: Call) -> Response:
        ident = call.path("id")
        if ident not in self.org.contacts:
            raise _not_found("contacts", ident)
        return JSONResponse({"data": self._contact_view(ident)})

    async def put_contact(self, call: Call) -> Response:
        body = await _json_body(call.request)
        contact = mutations.update_contact(self.org, call.path("id"), body, self.clock.now())
        self._mutated()
        view = self._contact_view(contact["id"])
        view.pop("isAnonymized")  # the real PUT response omits it
        return JSONResponse({"data": view})

    # ---- opportunities ---------------------------------------------------------------------------

    def _sorted_opportunities(self, call: Call) -> tuple[list[str], list[tuple[Any, ...]]]:
        now_ms = int(time.time() * 1000)
        cache_key = (self._version, now_ms // 60_000, call.params.key(*queries.OPPORTUNITY_FILTERS))
        cached = self._sorted_cache.get(cache_key)
        if cached is not None:
            self._sorted_cache.move_to_end(cache_key)
            return cached
        predicates = queries.opportunity_predicates(call.params, now_ms, lambda opp: posting_of(self.org, opp["id"]))
        ranks = queries.stage_ranks(self.org)
        keyed = sorted(
            (queries.opportunity_sort_key(opp, ranks), opp["id"])
            for opp in (self.org.opportunity_view(i) for i in self.org.opportunities)
            if all(p(opp) for p in predicates)
        )
        result = ([i for _, i in keyed], [k for k, _ in keyed])
        self._sorted_cache[cache_key] = result
        while len(self._sorted_cache) > 64:
            self._sorted_cache.popitem(last=False)
        return result

    async def list_opportunities(self, call: Call) -> Response:
        self._check_confidentiality_param(call)
        ids, keys = self._sorted_opportunities(call)
        page = self._page(call, "opportunities", ids, keys, display=queries.opportunity_token_display)
        render = self._render(call, "opportunities")
        return JSONResponse(page.envelope(lambda opp_id: render(self.org.opportunity_view(opp_id))))

    def _opportunity(self, call: Call) -> Json:
        ident = call.path("opp")
        if ident not in self.org.opportunities:
            raise _not_found("opportunities", ident)
        opp = self.org.opportunities[ident]
        self._check_visible(call, opp)
        return opp

    async def get_opportunity(self, call: Call) -> Response:
        opp = self._opportunity(call)
        return JSONResponse({"data": self._render(call, "opportunities")(self.org.opportunity_view(opp["id"]))})

    async def list_deleted(self, call: Call) -> Response:
        start, end = call.params.millis("deleted_at_start"), call.params.millis("deleted_at_end")
        items = [
            d
            for d in self.org.deleted_opportunities
            if (start is None or d["deletedAt"] >= start)
            and (end is None or d["deletedAt"] <= end)
            and (call.principal.confidential or d.get("confidentiality") != "confidential")
        ]
        items.sort(key=lambda d: (d["deletedAt"], d["id"]))
        keys = [(d["deletedAt"], d["id"]) for d in items]
        return JSONResponse(self._page(call, "opportunities_deleted", items, keys).envelope())

    async def create_opportunity(self, call: Call) -> Response:
        body = await _json_body(call.request)
        opp, deduped = mutations.create_opportunity(
            self.org, body, call.params.one("perform_as"), self.clock.now(),
            confidential_ok=call.principal.confidential,
        )  # fmt: skip
        self._mutated()
        return JSONResponse({"deduped": deduped, "data": self.org.opportunity_view(opp["id"])}, status_code=201)

    async def put_stage(self, call: Call) -> Response:
        opp = self._opportunity(call)
        body = await _json_body(call.request)
        mutations.change_stage(self.org, opp["id"], body, call.params.one("perform_as"), self.clock.now())
        self._mutated()
        return JSONResponse({"data": mutations.response_opportunity(self.org, opp["id"], blank_contact=True)})

    async def put_archived(self, call: Call) -> Response:
        opp = self._opportunity(call)
        body = await _json_body(call.request)
        mutations.set_archived(self.org, opp["id"], body, self.clock.now())
        self._mutated()
        return JSONResponse({"data": mutations.response_opportunity(self.org, opp["id"], blank_contact=True)})

    def _edit_list(self, field_name: str, add: bool) -> Handler:
        async def edit(call: Call) -> Response:
            opp = self._opportunity(call)
            body = await _json_body(call.request)
            mutations.edit_list(self.org, opp["id"], field_name, add, body, self.clock.now())
            self._mutated()
            blank = field_name != "links"
            return JSONResponse({"data": mutations.response_opportunity(self.org, opp["id"], blank_contact=blank)})

        return edit

    # ---- sub-resources ---------------------------------------------------------------------------

    def _list_sub(self, kind: str) -> Handler:
        async def list_sub(call: Call) -> Response:
            opp = self._opportunity(call)
            items = self.org.sub_resources(opp["id"], kind)
            if kind in ("resumes", "files"):
                items = queries.select(items, queries.file_predicates(call.params))
            keys = [(i, item["id"]) for i, item in enumerate(items)]
            page = self._page(call, f"{kind}:{opp['id']}", items, keys)
            return JSONResponse(page.envelope(self._render(call, kind)))

        return list_sub

    def _find_sub(self, call: Call, kind: str) -> tuple[Json, Json]:
        opp = self._opportunity(call)
        ident = call.path("id")
        for item in self.org.sub_resources(opp["id"], kind):
            if item["id"] == ident:
                return opp, item
        raise _not_found(kind, ident)

    def _get_sub(self, kind: str) -> Handler:
        async def get_sub(call: Call) -> Response:
            _, item = self._find_sub(call, kind)
            return JSONResponse({"data": self._render(call, kind)(item)})

        return get_sub

    def _download(self, kind: str) -> Handler:
        async def download(call: Call) -> Response:
            opp, item = self._find_sub(call, kind)
            if kind == "offers":
                status = call.params.choice("status", ("sent", "signed"))
                doc = item.get("signedDocument") if status != "sent" else None
                doc = doc or (item.get("sentDocument") if status != "signed" else None)
                if not doc:
                    raise LeverError(404, "ResourceNotFound", f"offers {item['id']} has no {status or ''} document")
                name = doc.get("fileName") or "offer.pdf"
            else:
                file = item.get("file") if kind == "resumes" else item
                name = (file or {}).get("name") or "file"
            content = self.org.uploads.get(item["id"]) if kind == "files" else None
            if content is None:
                content = document_bytes(self.org, opp["id"], kind, item["id"])
            if content is None:
                raise LeverError(422, "UnprocessableEntity", f"{kind} {item['id']} could not be processed by Lever")
            return Response(
                content,
                media_type="application/octet-stream",
                headers={"Content-Disposition": content_disposition(name)},
            )

        return download

    async def add_note(self, call: Call) -> Response:
        opp = self._opportunity(call)
        body = await _json_body(call.request)
        note = mutations.add_note(
            self.org, opp["id"], body, call.params.one("perform_as"), call.params.one("note_id"), self.clock.now()
        )
        self._mutated()
        return JSONResponse({"data": {**note, "noteId": note["id"]}}, status_code=201)

    async def add_feedback(self, call: Call) -> Response:
        opp = self._opportunity(call)
        body = await _json_body(call.request)
        feedback = mutations.add_feedback(self.org, opp["id"], body, call.params.one("perform_as"), self.clock.now())
        self._mutated()
        return JSONResponse({"data": feedback}, status_code=201)

    async def add_file(self, call: Call) -> Response:
        opp = self._opportunity(call)
        mutations.require_user(self.org, call.params.one("perform_as"), required=True)  # before reading the body
        name, content = await _multipart_file(call.request)
        record = mutations.add_file(self.org, opp["id"], name, content, call.params.one("perform_as"), self.clock.now())
        self._mutated()
        return JSONResponse({"data": record}, status_code=201)

    # ---- OAuth (auth.lever.co in production) -----------------------------------------------------

    async def oauth_authorize(self, request: Request) -> Response:
        q = request.query_params
        missing = [n for n in ("client_id", "redirect_uri", "response_type", "state") if not q.get(n)]
        if missing or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request", "error_description": f"missing {missing}"}, 400)
        try:
            code = self.oauth.authorize(q["client_id"], q.get("scope", ""))
        except OAuthError as exc:
            return JSONResponse({"error": exc.error, "error_description": exc.description}, status_code=401)
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'state': q['state'], 'code': code})}", 302)

    async def oauth_token(self, request: Request) -> Response:
        # Auth0 takes a form (what Lever documents) or JSON
        raw = await request.body()
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                parsed = json.loads(raw or b"{}")
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                return JSONResponse({"error": "invalid_request", "error_description": "bad JSON body"}, 400)
            form = {k: str(v) for k, v in parsed.items()}
        else:
            form = dict(parse_qsl(raw.decode("utf-8", "replace")))
        try:
            return JSONResponse(self.oauth.token(form))
        except OAuthError as exc:
            status = 401 if exc.error == "access_denied" else 400
            return JSONResponse({"error": exc.error, "error_description": exc.description}, status_code=status)

    # ---- admin -----------------------------------------------------------------------------------

    async def admin_delete_opportunity(self, request: Request) -> Response:
        body = await _json_body(request) if await request.body() else {}
        self.org.pin_generated()
        try:
            view = mutations.delete_opportunity(
                self.org, request.path_params["id"], body.get("deletedBy"), self.clock.now()
            )
        except mutations.MutationError as exc:
            return lever_error(exc.status, exc.code, exc.message)
        self._mutated()
        return JSONResponse({"data": view})

    async def admin_edit_contact(self, request: Request) -> Response:
        self.org.pin_generated()
        try:
            body = await _json_body(request)
            contact = mutations.update_contact(self.org, request.path_params["id"], body, self.clock.now())
        except (mutations.MutationError, LeverError) as exc:
            return lever_error(exc.status, exc.code, exc.message)
        self._mutated()
        return JSONResponse({"data": self._contact_view(contact["id"])})

    def _admin_create(self, create: Callable[[LeverOrg, Json], Json]) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                created = create(self.org, await _json_body(request))
            except (mutations.MutationError, LeverError) as exc:
                return lever_error(exc.status, exc.code, exc.message)
            self._mutated()
            return JSONResponse({"data": created}, status_code=201)

        return run

    async def admin_rate_limit(self, request: Request) -> Response:
        if request.method == "POST":
            body = await _json_body(request)
            rate, burst = body.get("rate", self.config.rate), body.get("burst", self.config.burst)
            if not isinstance(rate, int | float) or rate <= 0 or not isinstance(burst, int) or burst < 1:
                return JSONResponse({"error": "rate must be > 0 and burst an integer >= 1"}, status_code=400)
            self.config.rate, self.config.burst = float(rate), burst
            if "retry_after" in body:
                self.config.rate_limit_retry_after = bool(body["retry_after"])
            self.limiter = token_bucket.Limiter(self.config.rate, self.config.burst, token_bucket.MemoryStorage())
        return JSONResponse(
            {"rate": self.config.rate, "burst": self.config.burst, "retry_after": self.config.rate_limit_retry_after}
        )

    # ---- routes ----------------------------------------------------------------------------------

    def _routes(self) -> list[BaseRoute]:
        e = self._endpoint
        admin_create = self._admin_create
        v1 = API_PREFIX
        routes: list[BaseRoute] = [
            Route(f"{v1}/users", e(self.list_users), methods=["GET"]),
            Route(f"{v1}/users", e(self.create_user, write=True), methods=["POST"]),
            Route(f"{v1}/users/{{id}}", e(self._by_id(self.org.users, "users"))),
            Route(f"{v1}/stages", e(self.list_stages)),
            Route(f"{v1}/stages/{{id}}", e(self._by_id(self.org.stages, "stages"))),
            Route(f"{v1}/archive_reasons", e(self.list_archive_reasons)),
            Route(f"{v1}/archive_reasons/{{id}}", e(self._by_id(self.org.archive_reasons, "archive_reasons"))),
            Route(f"{v1}/disposition_stages", e(self.disposition_stages)),
            Route(f"{v1}/sources", e(self.list_sources)),
            Route(f"{v1}/tags", e(self.list_tags)),
            Route(f"{v1}/feedback_templates", e(self.list_feedback_templates)),
            Route(f"{v1}/feedback_templates/{{id}}", e(self._by_id(self.org.feedback_templates, "feedback_templates"))),
            Route(f"{v1}/form_templates", e(self.list_form_templates)),
            Route(f"{v1}/form_templates/{{id}}", e(self._by_id(self.org.form_templates, "form_templates"))),
            Route(f"{v1}/postings", e(self.list_postings), methods=["GET"]),
            Route(f"{v1}/postings", e(self.create_posting, write=True), methods=["POST"]),
            Route(f"{v1}/postings/{{id}}", e(self._by_id(self.org.postings, "postings"))),
            Route(f"{v1}/requisitions", e(self.list_requisitions)),
            Route(f"{v1}/requisitions/{{id}}", e(self._by_id(self.org.requisitions, "requisitions"))),
            Route(f"{v1}/contacts/{{id}}", e(self.get_contact), methods=["GET"]),
            Route(f"{v1}/contacts/{{id}}", e(self.put_contact, write=True), methods=["PUT"]),
            Route(f"{v1}/opportunities", e(self.list_opportunities), methods=["GET"]),
            Route(f"{v1}/opportunities", e(self.create_opportunity, write=True), methods=["POST"]),
            Route(f"{v1}/opportunities/deleted", e(self.list_deleted)),
            # deprecated since 2020 but still answered: candidates are opportunities (candidateId == opportunityId)
            Route(f"{v1}/candidates", e(self.list_opportunities), methods=["GET"]),
        ]
        # Every opportunity sub-resource also answers under the deprecated /candidates/:id path.
        for base in ("opportunities", "candidates"):
            opp = f"{v1}/{base}/{{opp}}"
            if base == "candidates":
                routes.append(Route(opp, e(self.get_opportunity)))
            else:
                routes.append(Route(opp, e(self.get_opportunity), methods=["GET"]))
            routes += [
                Route(f"{opp}/stage", e(self.put_stage, write=True), methods=["PUT"]),
                Route(f"{opp}/archived", e(self.put_archived, write=True), methods=["PUT"]),
                Route(f"{opp}/notes", e(self.add_note, write=True), methods=["POST"]),
                Route(f"{opp}/feedback", e(self.add_feedback, write=True), methods=["POST"]),
                Route(f"{opp}/files", e(self.add_file, write=True), methods=["POST"]),
            ]
            for name in ("Tags", "Sources", "Links"):
                routes += [
                    Route(f"{opp}/add{name}", e(self._edit_list(name.lower(), True), write=True), methods=["POST"]),
                    Route(f"{opp}/remove{name}", e(self._edit_list(name.lower(), False), write=True), methods=["POST"]),
                ]  # fmt: skip
            for kind in SUB_RESOURCE_KINDS:
                routes.append(Route(f"{opp}/{kind}", e(self._list_sub(kind)), methods=["GET"]))
                routes.append(Route(f"{opp}/{kind}/{{id}}", e(self._get_sub(kind)), methods=["GET"]))
                if kind in DOWNLOADABLE:
                    routes.append(Route(f"{opp}/{kind}/{{id}}/download", e(self._download(kind)), methods=["GET"]))
        routes += [
            Route("/oauth/authorize", self.oauth_authorize, methods=["GET"]),
            Route("/oauth/token", self.oauth_token, methods=["POST"]),
            *admin_routes(self.controls, lambda: self._current("inventory", inventory)),
            Route(f"{ADMIN_PREFIX}/opportunities/{{id}}/delete", self.admin_delete_opportunity, methods=["POST"]),
            Route(f"{ADMIN_PREFIX}/contacts/{{id}}", self.admin_edit_contact, methods=["POST"]),
            Route(f"{ADMIN_PREFIX}/rate_limit", self.admin_rate_limit, methods=["GET", "POST"]),
            Route(f"{ADMIN_PREFIX}/stages", admin_create(mutations.add_stage), methods=["POST"]),
            Route(f"{ADMIN_PREFIX}/archive_reasons", admin_create(mutations.add_archive_reason), methods=["POST"]),
        ]
        return routes


async def _unknown_path(request: Request, exc: Exception) -> Response:
    return lever_error(404, "ResourceNotFound", f"{request.url.path} was not found")


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return lever_error(405, "MethodNotAllowed", f"{request.method} is not allowed on {request.url.path}")


async def _json_body(request: Request) -> Json:
    try:
        body = await request.json()
    except ValueError:
        raise LeverError(400, "BadRequestError", "The request body must be valid JSON") from None
    if not isinstance(body, dict):
        raise LeverError(400, "BadRequestError", "The request body must be a JSON object")
    return body


async def _multipart_file(request: Request) -> tuple[str | None, bytes | None]:
    """The name and bytes of the multipart `file` field (None, None when there is none)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise LeverError(400, "BadRequestError", "The request must be multipart/form-data with a file field")
    try:
        form = await request.form(max_files=1, max_fields=100)
    except Exception as exc:  # malformed multipart (python-multipart / starlette raise several types)
        raise LeverError(400, "BadRequestError", f"The multipart body is not well-formed: {exc}") from None
    try:
        value = form.get("file")
        if isinstance(value, UploadFile):
            return value.filename, await value.read()
        return None, None
    finally:
        await form.close()
