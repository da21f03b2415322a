"""Resolve Lever's names (stages, reasons, users, sources, departments, locations, plans, forms, custom
fields) onto what the Ashby org already has, under the mapping config.

Each resolved value says how it was found: `explicit` (the mapping names it), `auto` (same name, case and
space insensitive), `fallback` (the section's fallback), `create` (departments, locations and custom fields
that the loader will create) or `unmapped`. The plan reports all of them; `Problem`s with `blocking=True` stop
the load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from migration_pipeline.transform.mapping import MappingConfig, NameMap
from migration_pipeline.transform.names import email_key, index_by_name, name_key

How = Literal["explicit", "auto", "fallback", "create", "unmapped", "ignored"]
Json = dict[str, Any]


@dataclass(frozen=True)
class Match:
    dimension: str
    lever_key: str  # Lever id (or the text, for sources, departments, locations)
    lever_name: str
    how: How
    ashby_id: str | None = None
    ashby_name: str | None = None
    scope: str = ""  # e.g. the interview plan a stage was matched in


@dataclass(frozen=True)
class Problem:
    code: str  # e.g. "mapping_target_missing", "stage_unmapped"
    message: str
    blocking: bool
    dimension: str = ""
    lever_value: str = ""


@dataclass
class AshbyOrg:
    """The parts of the Ashby org the transform maps onto (raw Ashby objects as the API returns them)."""

    users: list[Json] = field(default_factory=list)
    departments: list[Json] = field(default_factory=list)
    locations: list[Json] = field(default_factory=list)
    interview_plans: list[Json] = field(default_factory=list)
    interview_stages: list[Json] = field(default_factory=list)
    archive_reasons: list[Json] = field(default_factory=list)
    sources: list[Json] = field(default_factory=list)
    feedback_forms: list[Json] = field(default_factory=list)
    custom_fields: list[Json] = field(default_factory=list)
    hiring_team_roles: list[Json] = field(default_factory=list)

    @classmethod
    def from_kinds(cls, kinds: Mapping[str, Iterable[Json]]) -> AshbyOrg:
        names = cls.__dataclass_fields__
        return cls(**{k: list(v) for k, v in kinds.items() if k in names})

    def stages_of(self, plan_id: str) -> list[Json]:
        stages = [s for s in self.interview_stages if s.get("interviewPlanId") == plan_id]
        return sorted(stages, key=lambda s: s.get("orderInInterviewPlan") or 0)


@dataclass
class Resolver:
    """Matches one dimension's Lever values against Ashby candidates, remembering every decision."""

    dimension: str
    section: NameMap
    targets: list[Json]
    name_field: str
    key_fn: Any = name_key
    matches: dict[tuple[str, str], Match] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index: dict[str, list[Json]] = {}
        for item in self.targets:
            key = self.key_fn(item.get(self.name_field))
            if key:
                self._index.setdefault(key, []).append(item)

    def _find(self, name: str) -> Json | None:
        found = self._index.get(self.key_fn(name)) or []
        return found[0] if len(found) == 1 else None

    def resolve(self, lever_key: str, lever_name: str, *, scope: str = "", missing: How = "unmapped") -> Match:
        cached = self.matches.get((scope, lever_key))
        if cached is not None:
            return cached
        match = self._decide(lever_key, lever_name, scope, missing)
        self.matches[(scope, lever_key)] = match
        return match

    def _decide(self, lever_key: str, lever_name: str, scope: str, missing: How) -> Match:
        explicit = _explicit(self.section.map, lever_key, lever_name, self.key_fn)
        if explicit is not None:
            target_name = explicit[1]
            if target_name is None:
                return Match(self.dimension, lever_key, lever_name, "ignored", scope=scope)
            target = self._find(target_name)
            if target is None:
                self.problems.append(
                    Problem(
                        "mapping_target_missing",
                        f"{self.dimension}.map[{explicit[0]!r}] names {target_name!r}, which Ashby does not have"
                        + (f" in {scope}" if scope else ""),
                        blocking=missing == "unmapped",
                        dimension=self.dimension,
                        lever_value=lever_name,
                    )
                )
                return Match(self.dimension, lever_key, lever_name, missing, ashby_name=target_name, scope=scope)
            return self._match(lever_key, lever_name, "explicit", target, scope)
        if self.section.auto_match:
            target = self._find(lever_name)
            if target is not None:
                return self._match(lever_key, lever_name, "auto", target, scope)
        if self.section.fallback:
            target = self._find(self.section.fallback)
            if target is not None:
                return self._match(lever_key, lever_name, "fallback", target, scope)
        name = lever_name if missing == "create" else None
        return Match(self.dimension, lever_key, lever_name, missing, ashby_name=name, scope=scope)

    def _match(self, lever_key: str, lever_name: str, how: How, target: Json, scope: str) -> Match:
        return Match(self.dimension, lever_key, lever_name, how, target.get("id"), target.get(self.name_field), scope)


def _explicit(table: Mapping[str, str | None], lever_key: str, lever_name: str, key_fn: Any) -> tuple | None:
    """The explicit entry for a Lever value: by id, by exact name, then by name key."""
    for candidate in (lever_key, lever_name):
        if candidate in table:
            return candidate, table[candidate]
    wanted = key_fn(lever_name)
    for name, target in table.items():
        if key_fn(name) == wanted:
            return name, target
    return None


def _user_email_key(value: str | None) -> str:
    return email_key(value)


@dataclass
class Resolution:
    """Every dimension's resolver plus the org-level decisions (plans, forms, custom fields)."""

    config: MappingConfig
    org: AshbyOrg
    archive_reasons: Resolver
    users: Resolver
    sources: Resolver
    departments: Resolver
    locations: Resolver
    problems: list[Problem] = field(default_factory=list)
    stages: dict[str, Resolver] = field(default_factory=dict)  # one per interview plan

    @classmethod
    def build(cls, config: MappingConfig, org: AshbyOrg) -> Resolution:
        def resolver(dimension: str, targets: list[Json], name_field: str, key_fn: Any = name_key) -> Resolver:
            return Resolver(dimension, getattr(config, dimension), targets, name_field, key_fn)

        users = [
            {**u, "_email": u.get("email"), "name": f"{u.get('firstName', '')} {u.get('lastName', '')}".strip()}
            for u in org.users
        ]
        active_reasons = [r for r in org.archive_reasons if not r.get("isArchived")]
        active_sources = [s for s in org.sources if not s.get("isArchived")]
        resolution = cls(
            config=config,
            org=org,
            archive_reasons=resolver("archive_reasons", active_reasons, "text"),
            users=resolver("users", users, "_email", _user_email_key),
            sources=resolver("sources", active_sources, "title"),
            departments=resolver("departments", [d for d in org.departments if not d.get("isArchived")], "name"),
            locations=resolver("locations", [loc for loc in org.locations if not loc.get("isArchived")], "name"),
        )
        return resolution

    def fresh(self) -> Resolution:
        """The same config and org with nothing resolved yet: a partition's own problems and matches."""
        return Resolution.build(self.config, self.org)

    # -- interview plans and stages ---------------------------------------------------------------------------

    def plan_for(self, posting_id: str, team: str | None, department: str | None) -> Match:
        plans = self.config.interview_plans
        title = plans.by_posting.get(posting_id)
        if title is None:
            for key in (team, department):
                if key and key in plans.by_team:
                    title = plans.by_team[key]
                    break
        how: How = "explicit" if title is not None else "auto"
        active = [p for p in self.org.interview_plans if not p.get("isArchived")]
        if title is None:
            title = plans.default
            how = "explicit" if title else "auto"
        if title is None:
            chosen = active[0] if len(active) == 1 else _named_default(active)
        else:
            found = index_by_name(active, "title").get(name_key(title)) or []
            chosen = found[0] if len(found) == 1 else None
        if chosen is None:
            wanted = repr(title) if title else "a default interview plan"
            problem = Problem(
                "interview_plan_missing",
                f"no Ashby interview plan matches {wanted} (set interview_plans.default in the mapping)",
                blocking=True,
                dimension="interview_plans",
                lever_value=title or "",
            )
            if problem not in self.problems:
                self.problems.append(problem)
            return Match("interview_plans", posting_id, title or "", "unmapped")
        return Match("interview_plans", posting_id, title or chosen["title"], how, chosen["id"], chosen["title"])

    def stage_in_plan(self, plan_id: str, lever_stage_id: str, lever_stage_name: str) -> Match:
        resolver = self.stages.get(plan_id)
        if resolver is None:
            # Hired and Archived stages are reached through the outcome, never by a Lever stage's name
            targets = [s for s in self._plan_stages(plan_id) if s.get("type") not in ("Hired", "Archived")]
            resolver = self.stages[plan_id] = Resolver("stages", self.config.stages, targets, "title")
        return resolver.resolve(lever_stage_id, lever_stage_name, scope=plan_id)

    def stage_of_type(self, plan_id: str, stage_type: str) -> Json | None:
        for stage in self._plan_stages(plan_id):
            if stage.get("type") == stage_type:
                return stage
        return None

    def _plan_stages(self, plan_id: str) -> list[Json]:
        cache = self.__dict__.setdefault("_stage_cache", {})
        if plan_id not in cache:
            cache[plan_id] = self.org.stages_of(plan_id)
        return cache[plan_id]

    def resolvers(self) -> list[Resolver]:
        fixed = [self.archive_reasons, self.users, self.sources, self.departments, self.locations]
        return [*self.stages.values(), *fixed]

    def all_matches(self) -> list[Match]:
        return [match for resolver in self.resolvers() for match in resolver.matches.values()]

    def all_problems(self) -> list[Problem]:
        out = list(self.problems)
        for resolver in self.resolvers():
            out.extend(resolver.problems)
        return list(dict.fromkeys(out))


def _named_default(plans: list[Json]) -> Json | None:
    named = [p for p in plans if "default" in name_key(p.get("title"))]
    return named[0] if len(named) == 1 else None
