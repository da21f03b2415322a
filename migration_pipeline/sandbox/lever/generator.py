"""Deterministic synthetic Lever org: `generate_org(seed, contacts) -> LeverOrg`.

Everything is drawn from RNGs seeded by `seed` (one stream per part of the org, so that e.g. the users do
not shift when the posting logic changes), so one seed always gives the same org, byte for byte.

Sizes run from 10 to 100,000 contacts. Per-contact work is kept cheap: Faker is only used up front to fill
small per-locale name pools (its person providers alone, which load in milliseconds); everything else is
plain `random.Random` over the word lists in `vocab.py`. Sub-resources (notes, feedback, ...) are only
*planned* here (`OpportunityPlan`: counts and edge-case flags); `materialize.py` builds them on demand.

Every edge case the migration must survive is force-injected at any size (contact roles A-G below, and a
list of forced per-opportunity flags), and also occurs naturally at realistic rates at larger sizes.
`org.edge_cases` is computed from the finished org by `inventory.compute_edge_cases`.
"""

from __future__ import annotations

import importlib
import math
import re
from random import Random

from faker import Generator
from faker.decode import unidecode

from . import vocab
from .inventory import compute_edge_cases
from .materialize import Weighted, materialize, org_constant_id, uid
from .org import Json, LeverOrg, OpportunityPlan, canonical_email

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
YEAR = 365 * DAY

ANCHOR_MS = 1_793_491_200_000  # 2026-11-01T00:00:00Z: the generated org's "now"
ORG_START_MS = 1_451_606_400_000  # 2016-01-01: the account's first candidates
USERS_START_MS = 1_401_580_800_000  # 2014-06-01: the first users
OLD_ARCHIVE_MS = 1_609_459_200_000  # 2021-01-01: "No Response - OLD" is only used before this
FUTURE_MIN_MS = 1_861_920_000_000  # 2029-01-01: snoozes and consents "in the future" start here
FUTURE_MAX_MS = 1_956_441_600_000  # 2031-12-31

HUGE_TEXT_BYTES = 100 * 1024  # a "huge" headline or note is at least this many UTF-8 bytes

RECRUITER_ROLES = frozenset({"super admin", "admin", "team member"})
HIRE_URL = "https://hire.lever.co/candidates"


_SLUG_STOP = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "phd",
        "md",
        "dds",
        "dvm",
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "v",
        "sig",
        "ra",
        "dott",
        "ing",
        "dipl",
        "eng",
        "msc",
        "bsc",
        "mag",
        "herr",
        "frau",
        "pan",
        "pani",
        "sra",
        "sre",
        "mme",
        "mlle",
        "hr",
        "dhr",
        "mevr",
        "bay",
        "bayan",
        "g",
        "zh",
    }
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _ascii_tokens(text: str) -> list[str]:
    tokens = [t for t in _NON_ALNUM.split(unidecode(text).lower()) if t]
    kept = [t for t in tokens if t not in _SLUG_STOP and len(t) > 1]
    return kept or tokens


class _NamePool:
    """First/last name pools of one locale (Faker person provider, seeded), with ASCII slugs for emails."""

    def __init__(self, locale: str, seed: int, size: int) -> None:
        gen = Generator()
        module = importlib.import_module(f"faker.providers.person.{locale}")
        gen.add_provider(module.Provider(gen))
        gen.seed_instance(f"{seed}:{locale}")
        self.locale = locale
        self.first = self._unique([gen.first_name() for _ in range(size)])
        self.last = self._unique([gen.last_name() for _ in range(size)])
        self.full = self._unique([gen.name() for _ in range(max(10, size // 4))])
        self.first_slug = [self._slug(n, "candidate") for n in self.first]
        self.last_slug = [self._slug(n, "") for n in self.last]
        self.full_slug = [_ascii_tokens(n) or ["candidate"] for n in self.full]
        self.family_first = locale in vocab.FAMILY_FIRST_LOCALES
        self.sep = "" if locale in vocab.NO_SPACE_LOCALES else " "

    @staticmethod
    def _unique(names: list[str]) -> list[str]:
        return list(dict.fromkeys(n.strip() for n in names if n.strip()))

    @staticmethod
    def _slug(name: str, default: str) -> str:
        tokens = _ascii_tokens(name)
        return "".join(tokens) if tokens else default

    def person(self, rng: Random) -> tuple[str, str, str]:
        """(display name, ascii first, ascii last)."""
        if rng.random() < 0.12:
            i = rng.randrange(len(self.full))
            tokens = self.full_slug[i]
            return self.full[i], tokens[0], tokens[-1] if len(tokens) > 1 else ""
        f = rng.randrange(len(self.first))
        la = rng.randrange(len(self.last))
        first, last = self.first[f], self.last[la]
        name = f"{last}{self.sep}{first}" if self.family_first else f"{first} {last}"
        return name, self.first_slug[f], self.last_slug[la]


# ---------------------------------------------------------------------------------------------------
# Phones: many formats, as people type them.
def _digits(rng: Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


_PHONE_FORMATS: dict[str, tuple[str, ...]] = {
    "US": (
        "(555) {3}-{4}",
        "555-{3}-{4}",
        "555.{3}.{4}",
        "+1 555 {3} {4}",
        "+1555{3}{4}",
        "555{3}{4}",
        "(555) {3}-{4} ext. {3}",
        "555-{3}-{4} x{2}",
    ),
    "GB": ("+44 20 7946 0{3}", "07700 900{3}", "+44 (0) 7700 900{3}", "020 7946 0{3}"),
    "DE": ("0049 30 {7}", "+49 (0)30 {4} {3}", "030/{7}", "+49 151 {8}"),
    "FR": ("+33 1 {2} {2} {2} {2}", "06 {2} {2} {2} {2}"),
    "IN": ("+91 98{3} {5}", "098{8}"),
    "JP": ("+81 3-{4}-{4}", "090-{4}-{4}"),
    "CN": ("+86 138 {4} {4}", "138{8}"),
    "IL": ("+972 50-{3}-{4}", "050-{3}-{4}"),
    "BR": ("+55 11 9{4}-{4}", "(11) 9{4}-{4}"),
    "KR": ("+82 10-{4}-{4}",),
    "SA": ("+966 5{1} {3} {4}",),
    "ANY": ("+{2} {3} {3} {3}", "{3} {3} {4}"),
}
_LOCALE_COUNTRY = {
    "en_US": "US",
    "es_MX": "US",
    "en_GB": "GB",
    "de_DE": "DE",
    "pl_PL": "DE",
    "fr_FR": "FR",
    "en_IN": "IN",
    "hi_IN": "IN",
    "ja_JP": "JP",
    "zh_CN": "CN",
    "he_IL": "IL",
    "pt_BR": "BR",
    "ko_KR": "KR",
    "ar_SA": "SA",
    "fa_IR": "SA",
}
_PHONE_SLOT = re.compile(r"\{(\d)\}")
_PHONE_TYPES = Weighted((("mobile", 50), ("work", 20), ("home", 15), ("other", 10), ("skype", 5)))


def _phone_value(rng: Random, country: str) -> str:
    formats = _PHONE_FORMATS.get(country if rng.random() < 0.75 else "US", _PHONE_FORMATS["ANY"])
    if rng.random() < 0.05:
        formats = _PHONE_FORMATS["ANY"]
    fmt = formats[rng.randrange(len(formats))]
    return _PHONE_SLOT.sub(lambda m: _digits(rng, int(m.group(1))), fmt)


def _phone(rng: Random, country: str) -> Json:
    value = _phone_value(rng, country)
    if rng.random() < 0.3:  # Lever's own docs example has no `type`
        return {"value": value}
    return {"type": _PHONE_TYPES.pick(rng), "value": value}


# ---------------------------------------------------------------------------------------------------
# Long-tail count distributions: (cumulative probability, lowest count, how many counts from there).
TailTable = tuple[tuple[float, int, int], ...]
OPPORTUNITIES_PER_CONTACT: TailTable = (
    (0.74, 1, 1), (0.87, 2, 1), (0.93, 3, 1), (0.965, 4, 1), (0.9945, 5, 5), (0.9995, 10, 10), (1.0, 20, 11),
)  # fmt: skip
NOTES_PER_OPPORTUNITY: TailTable = (
    (0.38, 0, 1), (0.63, 1, 1), (0.78, 2, 1), (0.87, 3, 1), (0.95, 4, 3), (0.993, 7, 9), (1.0, 16, 25),
)  # fmt: skip
FILES_PER_OPPORTUNITY: TailTable = ((0.8, 0, 1), (0.92, 1, 1), (0.98, 2, 2), (1.0, 4, 5))


def _long_tail(rng: Random, table: TailTable, u: float | None = None) -> int:
    """A count drawn from `table`; `u` is the uniform draw when the caller already made it."""
    u = rng.random() if u is None else u
    _, low, spread = next((row for row in table if u < row[0]), table[-1])
    return low + (rng.randrange(spread) if spread > 1 else 0)


def _interval(rng: Random, lo: int, hi: int) -> int:
    return lo if hi <= lo else lo + int(rng.random() * (hi - lo))


def _future_ms(rng: Random) -> int:
    return _interval(rng, FUTURE_MIN_MS, FUTURE_MAX_MS)


class _Builder:
    def __init__(self, seed: int, contacts: int) -> None:
        self.seed = seed
        self.n_contacts = contacts
        self.org = LeverOrg(seed=seed, anchor_ms=ANCHOR_MS)

    def rng(self, part: str) -> Random:
        return Random(f"{self.seed}:{part}")

    # -----------------------------------------------------------------------------------------------
    def build(self) -> LeverOrg:
        self._users()
        self._stages_and_reasons()
        self._postings()
        self._requisitions()
        self._templates()
        self._people()
        self._deleted_opportunities()
        self._finish_requisitions()
        org = self.org
        org.materializer = materialize
        org.edge_cases = compute_edge_cases(org)
        return org

    # -----------------------------------------------------------------------------------------------
    def _users(self) -> None:
        rng = self.rng("users")
        n = max(8, round(1.5 * math.sqrt(self.n_contacts)))
        pools = [
            (_NamePool(loc, self.seed, 60), w)
            for loc, w in (("en_US", 70), ("en_GB", 8), ("de_DE", 6), ("fr_FR", 5), ("en_IN", 8), ("es_ES", 3))
        ]
        pool_pick = Weighted(pools)
        roles = Weighted(tuple(zip(vocab.ACCESS_ROLES, vocab.ACCESS_ROLE_WEIGHTS, strict=True)))
        seen: set[str] = set()
        users: list[Json] = []
        for i in range(n):
            pool: _NamePool = pool_pick.pick(rng)
            f = rng.randrange(len(pool.first))
            la = rng.randrange(len(pool.last))
            name = f"{pool.first[f]} {pool.last[la]}"
            local = f"{pool.first_slug[f]}.{pool.last_slug[la]}".strip(".") or "user"
            base, k = local, 1
            while local in seen:
                k += 1
                local = f"{base}{k}"
            seen.add(local)
            role = vocab.ACCESS_ROLES[i] if i < len(vocab.ACCESS_ROLES) else roles.pick(rng)
            if i < 3:
                created = USERS_START_MS + _interval(rng, 0, 60 * DAY)
            else:
                created = USERS_START_MS + int((ANCHOR_MS - 90 * DAY - USERS_START_MS) * rng.random() ** 1.6)
            deactivated = None
            # users 2 (the first "team member") and 6 always left the company (owner/follower edge cases)
            if i in (2, 6) or (i >= len(vocab.ACCESS_ROLES) and rng.random() < 0.09):
                deactivated = _interval(rng, created + 30 * DAY, ANCHOR_MS - 7 * DAY)
            users.append(
                {
                    "id": uid(rng),
                    "name": name,
                    "username": local,
                    "email": f"{local}@{vocab.COMPANY_EMAIL_DOMAIN}",
                    "createdAt": created,
                    "deactivatedAt": deactivated,
                    "externalDirectoryId": str(rng.randrange(1_000_000, 9_999_999)) if rng.random() < 0.4 else None,
                    "accessRole": role,
                    "photo": (
                        f"https://gravatar.com/avatar/{rng.getrandbits(128):032x}?s=26&d=404"
                        if rng.random() < 0.3
                        else None
                    ),
                    "linkedContactIds": None,
                    "jobTitle": vocab.USER_JOB_TITLES[rng.randrange(len(vocab.USER_JOB_TITLES))]
                    if rng.random() < 0.6
                    else None,
                    "managerId": users[rng.randrange(len(users))]["id"] if users and rng.random() < 0.5 else None,
                }
            )
        self.org.users = users
        self.user_ids = [u["id"] for u in users]
        self.recruiters = [u["id"] for u in users if u["accessRole"] in RECRUITER_ROLES]
        self.active_recruiters = [
            u["id"] for u in users if u["accessRole"] in RECRUITER_ROLES and u["deactivatedAt"] is None
        ]
        self.hiring_managers = [
            u["id"] for u in users if u["accessRole"] in ("team member", "limited team member")
        ] or self.recruiters
        self.deactivated = [u["id"] for u in users if u["deactivatedAt"] is not None]
        self.admins = [u["id"] for u in users if u["accessRole"] in ("super admin", "admin")]

    def _pick(self, rng: Random, ids: list[str]) -> str:
        return ids[rng.randrange(len(ids))]

    # -----------------------------------------------------------------------------------------------
    def _stages_and_reasons(self) -> None:
        rng = self.rng("stages")
        self.org.stages = [{"id": sid or uid(rng), "text": text} for sid, text, _ in vocab.STAGE_DEFS]
        self.stage_ids = [s["id"] for s in self.org.stages]
        self.stage_index = {sid: i for i, sid in enumerate(self.stage_ids)}
        self.i_offer = self.stage_ids.index("offer")
        self.i_applicant = self.stage_ids.index("applicant-new")
        self.i_track = [i for i in range(self.i_applicant + 1, len(self.stage_ids)) if i != self.i_offer]
        self.i_track_pre_offer = [i for i in self.i_track if i < self.i_offer]
        self.i_track_post_offer = [i for i in self.i_track if i > self.i_offer]
        self.org.archive_reasons = [
            {"id": uid(rng), "text": text, "status": status, "type": rtype}
            for text, rtype, status, _ in vocab.ARCHIVE_REASON_DEFS
        ]
        by_text = {r["text"]: r["id"] for r in self.org.archive_reasons}
        self.reason_hired = by_text["Hired"]
        self.reason_offer_declined = by_text["Offer declined"]
        self.reason_old = by_text["No Response - OLD"]
        self.reasons_not_hired = Weighted([(by_text[text], w) for text, _, _, w in vocab.ARCHIVE_REASON_DEFS if w > 0])

    # -----------------------------------------------------------------------------------------------
    def _postings(self) -> None:
        rng = self.rng("postings")
        n = min(2000, max(8, round(3 * math.sqrt(self.n_contacts))))
        states = Weighted(tuple(zip(vocab.POSTING_STATES, vocab.POSTING_STATE_WEIGHTS, strict=True)))
        departments = Weighted(tuple(vocab.DEPARTMENT_WEIGHTS.items()))
        seniority = Weighted(vocab.SENIORITY)
        locations = Weighted([(loc, loc[3]) for loc in vocab.POSTING_LOCATIONS])
        commitments = Weighted(vocab.COMMITMENTS)
        workplace = Weighted((("onsite", 35), ("hybrid", 30), ("remote", 25), ("unspecified", 10)))
        postings: list[Json] = []
        self.posting_window: dict[str, tuple[int, int]] = {}
        self.posting_tz: dict[str, str] = {}
        for i in range(n):
            if i < len(vocab.POSTING_STATES):
                state = vocab.POSTING_STATES[i]
            elif i == len(vocab.POSTING_STATES):
                state = "published"  # forced confidential, published
            elif i == len(vocab.POSTING_STATES) + 1:
                state = "closed"  # forced confidential, closed
            else:
                state = states.pick(rng)
            confidential = i in (len(vocab.POSTING_STATES), len(vocab.POSTING_STATES) + 1) or (
                i > len(vocab.POSTING_STATES) + 1 and rng.random() < 0.02
            )
            dept = departments.pick(rng)
            teams = vocab.ORG_STRUCTURE[dept]
            team = list(teams)[rng.randrange(len(teams))]
            titles = teams[team]
            loc_text, country, tz, _ = locations.pick(rng)
            title = seniority.pick(rng) + titles[rng.randrange(len(titles))]
            if country in vocab.LOCALIZED_TITLES and rng.random() < 0.3:
                local_titles = vocab.LOCALIZED_TITLES[country]
                title = local_titles[rng.randrange(len(local_titles))]
            all_locations = [loc_text]
            if rng.random() < 0.2 or i == 0:  # posting 0 is always multi-location
                for _ in range(1 + rng.randrange(2)):
                    other = locations.pick(rng)[0]
                    if other not in all_locations:
                        all_locations.append(other)
                if len(all_locations) == 1:
                    all_locations.append("Remote" if loc_text != "Remote" else "London")
            commitment = commitments.pick(rng)
            if state == "closed":
                created = _interval(rng, ORG_START_MS, ANCHOR_MS - 150 * DAY)
                updated = _interval(rng, created + 20 * DAY, min(created + 2 * YEAR, ANCHOR_MS - 30 * DAY))
                window = (created, updated)
            elif state in ("published", "internal"):
                created = _interval(rng, max(ORG_START_MS, ANCHOR_MS - 3 * YEAR), ANCHOR_MS - 20 * DAY)
                updated = _interval(rng, created + HOUR, ANCHOR_MS - DAY)
                window = (created, ANCHOR_MS - 2 * HOUR)
            else:
                created = _interval(rng, ANCHOR_MS - 200 * DAY, ANCHOR_MS - 3 * DAY)
                updated = _interval(rng, created + MINUTE, ANCHOR_MS - HOUR)
                window = (created, ANCHOR_MS - 2 * HOUR)
            owner = self._pick(rng, self.recruiters)
            hiring_manager = self._pick(rng, self.hiring_managers) if rng.random() < 0.88 else None
            followers = [owner]
            if hiring_manager:
                followers.append(hiring_manager)
            for _ in range(rng.randrange(3)):
                follower = self._pick(rng, self.user_ids)
                if follower not in followers:
                    followers.append(follower)
            pid = uid(rng)
            description = vocab.POSTING_DESCRIPTIONS[rng.randrange(len(vocab.POSTING_DESCRIPTIONS))].format(
                title=title, team=team
            )
            lists = [
                {"text": text, "content": "".join(f"<li>{item}</li>" for item in items)}
                for text, items in vocab.POSTING_LISTS[: 1 + rng.randrange(len(vocab.POSTING_LISTS))]
            ]
            currency = vocab.COUNTRY_CURRENCY.get(country, "USD")
            salary_low = 10_000 * (4 + rng.randrange(16))
            salary_range = (
                {
                    "max": salary_low + 10_000 * (1 + rng.randrange(5)),
                    "min": salary_low,
                    "currency": currency,
                    "interval": "per-year-salary",
                }
                if rng.random() < 0.6
                else None
            )
            salary_text = (
                f"The base salary range for this role is {salary_range['min']:,}-{salary_range['max']:,} {currency}."
                if salary_range and rng.random() < 0.8
                else None
            )
            wp = "remote" if loc_text.startswith("Remote") else workplace.pick(rng)
            posting = {
                "id": pid,
                "text": title,
                "createdAt": created,
                "updatedAt": updated,
                "user": self._pick(rng, self.recruiters),
                "owner": owner,
                "hiringManager": hiring_manager,
                "confidentiality": "confidential" if confidential else "non-confidential",
                "categories": {
                    "team": team if rng.random() < 0.93 else None,
                    "department": dept if rng.random() < 0.95 else None,
                    "location": loc_text if rng.random() < 0.98 else None,
                    "allLocations": all_locations,
                    "commitment": commitment if rng.random() < 0.96 else None,
                    "level": None,
                },
                "content": {
                    "description": description,
                    "descriptionHtml": f"<div>{description}</div>",
                    "lists": lists,
                    "closing": vocab.CLOSING_TEXT,
                    "closingHtml": vocab.CLOSING_HTML,
                },
                "country": country,
                "followers": followers,
                "tags": [vocab.CUSTOM_TAGS[rng.randrange(len(vocab.CUSTOM_TAGS))][0]] if rng.random() < 0.15 else [],
                "state": state,
                "distributionChannels": None
                if state in ("draft", "internal")
                else (["public", "internal"] if rng.random() < 0.5 else ["internal", "public"]),
                "reqCode": None,
                "requisitionCodes": [],
                "salaryDescription": salary_text,
                "salaryDescriptionHtml": f"<p>{salary_text}</p>" if salary_text else None,
                "salaryRange": salary_range,
                "urls": {
                    "list": f"https://jobs.lever.co/{vocab.JOB_SITE}",
                    "show": f"https://jobs.lever.co/{vocab.JOB_SITE}/{pid}/",
                    "apply": f"https://jobs.lever.co/{vocab.JOB_SITE}/{pid}/apply",
                },
                "workplaceType": wp,
                "transcribeInterviews": rng.random() < 0.1,
                "screening": {"enabled": rng.random() < 0.1},
            }
            postings.append(posting)
            self.posting_window[pid] = window
            self.posting_tz[pid] = tz
        self.org.postings = postings
        self.posting_by_id = {p["id"]: p for p in postings}
        self.forced_confidential = [postings[len(vocab.POSTING_STATES)], postings[len(vocab.POSTING_STATES) + 1]]
        # candidates land on published / closed / internal postings, with a Zipf-like long tail
        eligible = [p for p in postings if p["state"] in ("published", "closed", "internal")]
        order = list(range(len(eligible)))
        rng.shuffle(order)
        state_weight = {"published": 1.0, "closed": 1.3, "internal": 0.3}
        self.posting_pick = Weighted(
            [
                (
                    p,
                    state_weight[p["state"]]
                    * (0.3 if p["confidentiality"] == "confidential" else 1.0)
                    / (rank + 1) ** 0.9,
                )
                for p, rank in zip(eligible, order, strict=True)
            ]
        )
        # auto tags (§8.4): title, department, team, location, commitment
        self.posting_tags = {
            p["id"]: [
                t
                for t in (
                    p["text"],
                    p["categories"]["department"],
                    p["categories"]["team"],
                    p["categories"]["location"],
                    p["categories"]["commitment"],
                )
                if t
            ]
            for p in postings
        }

    # -----------------------------------------------------------------------------------------------
    def _requisitions(self) -> None:
        rng = self.rng("requisitions")
        employment = {
            "Full-time": "full-time",
            "Part-time": "part-time",
            "Contract": "contractor",
            "Internship": "intern",
            "Temporary": "temp-worker",
        }
        reqs: list[Json] = []
        self.req_by_posting: dict[str, Json] = {}
        counter = 100

        def make(posting: Json | None) -> Json:
            nonlocal counter
            counter += 1 + rng.randrange(3)
            cats = posting["categories"] if posting else {}
            dept = cats.get("department") or "General"
            code = f"{dept[:3].upper()}-{counter:04d}"
            created = (
                _interval(rng, posting["createdAt"] - 30 * DAY, posting["createdAt"])
                if posting
                else _interval(rng, ANCHOR_MS - 2 * YEAR, ANCHOR_MS - DAY)
            )
            state = posting["state"] if posting else ("draft" if rng.random() < 0.3 else "open")
            status = {"closed": "closed", "rejected": "closed", "draft": "draft"}.get(
                state, "onHold" if rng.random() < 0.1 else "open"
            )
            closed_at = posting["updatedAt"] if posting and status == "closed" else None
            approval: Json = {"steps": []}
            if rng.random() < 0.3:
                approver = self._pick(rng, self.admins)
                approved_at = created + _interval(rng, HOUR, 5 * DAY)
                approval = {
                    "id": uid(rng),
                    "status": "approved",
                    "startedAt": created,
                    "approvedAt": approved_at,
                    "steps": [
                        {
                            "completed": True,
                            "status": "approved",
                            "outOfBandOnly": False,
                            "approvalsRequired": 1,
                            "approvers": [
                                {
                                    "id": uid(rng),
                                    "user": approver,
                                    "isDynamic": False,
                                    "approved": True,
                                    "approvedAt": approved_at,
                                    "type": "static",
                                    "overridingUserId": None,
                                }
                            ],
                        }
                    ],
                    "accountId": self.account_id,
                    "createdBy": self._pick(rng, self.recruiters),
                }
            salary = posting["salaryRange"] if posting else None
            creator = self._pick(rng, self.recruiters)
            return {
                "id": uid(rng),
                "createdAt": created,
                "confidentiality": posting["confidentiality"] if posting else "non-confidential",
                "status": status,
                "name": posting["text"] if posting else f"{dept} headcount",
                "requisitionCode": code,
                "headcountTotal": 1 if rng.random() < 0.7 else 2 + rng.randrange(4),
                "headcountHired": 0,
                "headcountInfinite": False,
                "backfill": rng.random() < 0.15,
                "creator": creator,
                "owner": posting["owner"] if posting else creator,
                "hiringManager": posting["hiringManager"] if posting else None,
                "internalNotes": "Budget approved in planning." if rng.random() < 0.2 else "",
                "compensationBand": dict(salary) if salary else None,
                "approval": approval,
                "employmentStatus": employment.get(cats.get("commitment") or ""),
                "location": cats.get("location"),
                "team": cats.get("team"),
                "department": cats.get("department"),
                "postings": [posting["id"]] if posting else [],
                "offerIds": [],
                "timeToFillStartAt": created,
                "timeToFillEndAt": closed_at,
                "updatedAt": max(created, posting["updatedAt"]) if posting else created,
                "customFields": {"cost_center": f"CC-{rng.randrange(100, 999)}"} if rng.random() < 0.3 else {},
                "closedAt": closed_at,
            }

        self.account_id = org_constant_id(self.seed, "account")
        for posting in self.org.postings:
            if posting["confidentiality"] == "confidential" or rng.random() < 0.7:
                req = make(posting)
                reqs.append(req)
                posting["requisitionCodes"] = [req["requisitionCode"]]
                posting["reqCode"] = req["requisitionCode"] if rng.random() < 0.5 else None
                self.req_by_posting[posting["id"]] = req
        for _ in range(max(1, len(self.org.postings) // 10)):
            reqs.append(make(None))
        self.org.requisitions = reqs

    def _finish_requisitions(self) -> None:
        for pid, hired in self.hired_by_posting.items():
            req = self.req_by_posting.get(pid)
            if req:
                req["headcountHired"] = hired
                req["headcountTotal"] = max(req["headcountTotal"], hired)

    # -----------------------------------------------------------------------------------------------
    def _templates(self) -> None:
        rng = self.rng("templates")
        groups: dict[str, Json] = {}

        def fields(specs: tuple) -> list[Json]:
            out = []
            for ftype, text, required, extra in specs:
                field: Json = {"description": "", "required": required, "text": text, "type": ftype, "id": uid(rng)}
                if ftype in ("score-system", "score"):
                    field["prompt"] = "Select one"
                    field["options"] = [{"text": o} for o in vocab.SCORE_OPTIONS]
                elif ftype == "dropdown":
                    field["prompt"] = "Select one"
                    field["options"] = [{"text": o} for o in extra["options"]]
                elif ftype in ("multiple-choice", "multiple-select"):
                    field["options"] = [{"text": o} for o in extra["options"]]
                elif ftype == "scorecard":
                    field["scores"] = [{"text": t, "description": d} for t, d in extra["scores"]]
                elif ftype == "code":
                    field["language"] = extra["language"]
                elif ftype == "currency":
                    field["currency"] = extra["currency"]
                out.append(field)
            return out

        templates = [
            {
                "id": "no-feedback",
                "text": "No feedback",
                "group": None,
                "instructions": "",
                "fields": fields((("score-system", "Rating", False, {}),)),
                "createdAt": None,
                "stage": None,
                "updatedAt": None,
            }
        ]
        for spec in vocab.FEEDBACK_TEMPLATE_DEFS:
            group = None
            if spec["group"]:
                group = groups.setdefault(spec["group"], {"id": uid(rng), "name": spec["group"]})
            created = _interval(rng, USERS_START_MS, ORG_START_MS)
            templates.append(
                {
                    "id": uid(rng),
                    "text": spec["text"],
                    "group": dict(group) if group else None,
                    "instructions": spec["instructions"],
                    "fields": fields(spec["fields"]),
                    "createdAt": created,
                    "stage": None,
                    "updatedAt": _interval(rng, created, ANCHOR_MS - 30 * DAY),
                }
            )
        self.org.feedback_templates = templates
        forms = []
        for spec in vocab.FORM_TEMPLATE_DEFS:
            created = _interval(rng, USERS_START_MS, ORG_START_MS)
            forms.append(
                {
                    "id": uid(rng),
                    "text": spec["text"],
                    "instructions": spec["instructions"],
                    "group": None,
                    "secretByDefault": spec["secretByDefault"],
                    "fields": fields(spec["fields"]),
                    "createdAt": created,
                    "updatedAt": _interval(rng, created, ANCHOR_MS - 30 * DAY),
                }
            )
        self.org.form_templates = forms

    # -----------------------------------------------------------------------------------------------
    def _people(self) -> None:
        n = self.n_contacts
        pool_size = min(400, max(40, n // 20))
        self.pools = {loc: _NamePool(loc, self.seed, pool_size) for loc, _ in vocab.NAME_LOCALES}
        self.locale_pick = Weighted(vocab.NAME_LOCALES)
        rng_count = self.rng("opportunity-counts")

        # Contact roles that carry the person-level edge cases, present at every size (n >= 10).
        # A/B and C/D are two pairs of different contacts whose emails differ only in case or spaces.
        special_specs: list[Json] = [
            {"role": "A", "locale": "ar_SA", "pair": (0, "a"), "opps": 20 + rng_count.randrange(7)},
            {"role": "B", "locale": "he_IL", "pair": (0, "b"), "opps": 10 + rng_count.randrange(5)},
            {"role": "C", "locale": "en_US", "pair": (1, "a"), "emoji": True, "opps": 3, "consent": "future"},
            {"role": "D", "locale": "de_DE", "pair": (1, "b"), "huge": True},
            {
                "role": "E",
                "locale": "zh_CN",
                "emails": 0,
                "phones": (("(555) {3}-{4}", "mobile"), ("+44 20 7946 0{3}", None), ("0049 30 {7}", "work")),
            },
            {
                "role": "F",
                "locale": "ru_RU",
                "emails": 3,
                "phones": (("555.{3}.{4}", "home"), ("555-{3}-{4} ext. {3}", None)),
                "consent": "past",
            },
            {"role": "G", "locale": "en_GB", "anon": True, "opps": 2},
        ]
        positions = sorted(rng_count.sample(range(n), len(special_specs)))
        specs: dict[int, Json] = dict(zip(positions, special_specs, strict=True))
        special_set = set(positions)
        # natural extras at larger sizes: more duplicate pairs, anonymized people, emoji and huge headlines
        pair_no = 2
        free = [i for i in range(n) if i not in special_set]
        extra_pairs = n // 2500
        if extra_pairs and len(free) > 2 * extra_pairs:
            chosen = sorted(rng_count.sample(free, 2 * extra_pairs))
            rng_count.shuffle(chosen)
            for k in range(extra_pairs):
                a, b = sorted(chosen[2 * k : 2 * k + 2])
                specs[a] = {"pair": (pair_no, "a")}
                specs[b] = {"pair": (pair_no, "b"), "same_person": True}
                pair_no += 1
        for i in free:
            if i in specs:
                continue
            r = rng_count.random()
            if r < 0.004:
                specs[i] = {"anon": True}
            elif r < 0.006:
                specs[i] = {"emoji": True}
            elif r < 0.00602:
                specs[i] = {"huge": True}

        counts = []
        for i in range(n):
            spec = specs.get(i)
            if spec and "opps" in spec:
                counts.append(spec["opps"])
                continue
            counts.append(_long_tail(rng_count, OPPORTUNITIES_PER_CONTACT))

        # forced per-opportunity flags on distinct opportunities of non-anonymized contacts
        rng_force = self.rng("forced")
        slots = [(i, k) for i in range(n) if not specs.get(i, {}).get("anon") for k in range(counts[i])]
        flags: list[str] = [
            "no_posting",
            "hired",
            "not_hired",
            "snoozed",
            "owner_deactivated",
            "follower_deactivated",
            "referred",
            "huge_note",
            "html_note",
            "secret_note",
            "scored_note",
            "threaded_note",
            "feedback_deleted",
            "resume_error",
            "file_error",
            "form",
            "panel",
            "moved_back",
        ]
        for posting in self.forced_confidential:
            flags += [f"posting:{posting['id']}"] * 3
        chosen_slots = rng_force.sample(slots, min(len(flags), len(slots)))
        forced: dict[tuple[int, int], set[str]] = {}
        for j, flag in enumerate(flags):
            forced.setdefault(chosen_slots[j % len(chosen_slots)], set()).add(flag)

        rng_c = self.rng("contacts")
        rng_o = self.rng("opportunities")
        self.hired_by_posting: dict[str, int] = {}
        self.email_owner: dict[str, int] = {}  # canonical email -> contact index (uniqueness)
        self.pair_email: dict[int, str] = {}
        self.pair_name: dict[int, str] = {}
        contacts = self.org.contacts
        opportunities = self.org.opportunities
        plans = self.org.plans
        self.contact_ids: list[str] = []
        for i in range(n):
            spec = specs.get(i, {})
            contact, locale = self._contact(rng_c, i, spec)
            self.contact_ids.append(contact["id"])
            anon = bool(spec.get("anon"))
            first_created = None
            opps = []
            for k in range(counts[i]):
                flags = forced.get((i, k), set())
                if spec.get("role") == "G" and k == 0:
                    flags = {"keep_history"}  # an anonymized person whose notes and feedback remain
                rec, plan = self._opportunity(rng_o, contact, locale, flags, anon)
                opps.append(rec)
                opportunities[rec["id"]] = rec
                plans[rec["id"]] = plan
                if first_created is None or rec["createdAt"] < first_created:
                    first_created = rec["createdAt"]
            contact["createdAt"] = first_created
            # dataProtection is shared by the contact's opportunities
            consent = spec.get("consent")
            r = rng_c.random()
            if consent is None and r < 0.06:
                consent = "past" if r < 0.03 else "future"
            if consent:
                if consent == "past":
                    expires = _interval(rng_c, min(first_created + 30 * DAY, ANCHOR_MS - 2 * DAY), ANCHOR_MS - DAY)
                    contact_expires = expires if rng_c.random() < 0.5 else None
                else:
                    expires = _future_ms(rng_c)
                    contact_expires = _future_ms(rng_c) if rng_c.random() < 0.5 else None
                allowed = rng_c.random() < 0.7
                for rec in opps:
                    rec["dataProtection"] = {
                        "store": {"allowed": True, "expiresAt": expires},
                        "contact": {"allowed": allowed, "expiresAt": contact_expires},
                    }
            if anon:
                contact.update(name="", headline="", location="", emails=[], phones=[], links=[], isAnonymized=True)
                for rec in opps:
                    rec["isAnonymized"] = True
            contacts[contact["id"]] = contact

    # -----------------------------------------------------------------------------------------------
    def _contact(self, rng: Random, index: int, spec: Json) -> tuple[Json, str]:
        locale = spec.get("locale") or self.locale_pick.pick(rng)
        pool = self.pools[locale]
        name, first_slug, last_slug = pool.person(rng)
        pair = spec.get("pair")
        if pair and pair[1] == "b" and spec.get("same_person"):
            name = self.pair_name[pair[0]]
        elif not spec:
            r = rng.random()
            if r < 0.01:
                name = name.lower()
            elif r < 0.015:
                name = name.upper()
            elif r < 0.018:
                name = name.split(" ")[0] if " " in name else name  # a single name
        if spec.get("emoji"):
            emoji = vocab.EMOJI[rng.randrange(len(vocab.EMOJI))]
            parts = name.split(" ", 1)
            name = f"{parts[0]} {emoji} {parts[1]}" if len(parts) == 2 else f"{name} {emoji}"
        # emails
        n_emails = spec.get("emails")
        if n_emails is None:
            r = rng.random()
            n_emails = 0 if r < 0.04 else 1 if r < 0.88 else 2 if r < 0.97 else 3
            if pair:
                n_emails = max(1, n_emails)
        emails: list[str] = []
        if pair and pair[1] == "b":
            emails.append(self._email_variant(rng, self.pair_email[pair[0]]))
        for k in range(n_emails - len(emails)):
            emails.append(self._email(rng, index, first_slug, last_slug, work=k > 0 and rng.random() < 0.5))
        if pair and pair[1] == "a":
            self.pair_email[pair[0]] = emails[0]
            self.pair_name[pair[0]] = name
        # phones
        country = _LOCALE_COUNTRY.get(locale, "US")
        if "phones" in spec:  # fixed formats, as typed by people (with and without `type`)
            phones = []
            for fmt, ptype in spec["phones"]:
                value = _PHONE_SLOT.sub(lambda m: _digits(rng, int(m.group(1))), fmt)
                phones.append({"type": ptype, "value": value} if ptype else {"value": value})
        else:
            r = rng.random()
            n_phones = 0 if r < 0.15 else 1 if r < 0.83 else 2 if r < 0.96 else 3
            phones = [_phone(rng, country) for _ in range(n_phones)]
        if len(phones) >= 2 and all("type" in p for p in phones):
            phones[-1] = {"value": phones[-1]["value"]}  # several phones: with and without `type`
        # links
        r = rng.random()
        n_links = 0 if r < 0.45 else 1 if r < 0.8 else 2 if r < 0.95 else 3
        links = []
        slug = "-".join(t for t in (first_slug, last_slug) if t) or "candidate"
        for _ in range(n_links):
            pattern = self.link_pick.pick(rng)
            link = pattern.format(slug=slug, hex=f"{rng.getrandbits(32):08x}", num=rng.randrange(10**5, 10**7))
            if link not in links:
                links.append(link)
        # headline and location
        if spec.get("huge"):
            headline = self._huge_headline(rng)
        elif rng.random() < 0.2:
            headline = ""
        else:
            parts = [vocab.COMPANIES[rng.randrange(len(vocab.COMPANIES))] for _ in range(1 + rng.randrange(3))]
            if rng.random() < 0.25:
                parts.append(vocab.SCHOOLS[rng.randrange(len(vocab.SCHOOLS))][0])
            headline = ", ".join(dict.fromkeys(parts))
        cities = vocab.CITIES_BY_LOCALE.get(locale) or vocab.CITIES_BY_LOCALE["en_US"]
        location = "" if rng.random() < 0.25 else cities[rng.randrange(len(cities))]
        contact = {
            "id": uid(rng),
            "name": name,
            "headline": headline,
            "location": location,
            "emails": emails,
            "phones": phones,
            "links": links,
            "isAnonymized": False,
            "createdAt": None,
        }
        return contact, locale

    @property
    def link_pick(self) -> Weighted:
        if not hasattr(self, "_link_pick"):
            self._link_pick = Weighted(vocab.LINK_PATTERNS)
        return self._link_pick

    @property
    def domain_pick(self) -> Weighted:
        if not hasattr(self, "_domain_pick"):
            self._domain_pick = Weighted(vocab.PERSONAL_EMAIL_DOMAINS)
        return self._domain_pick

    def _email(self, rng: Random, index: int, first: str, last: str, work: bool = False) -> str:
        first = first or "candidate"
        r = rng.random()
        if not last:
            local = f"{first}{rng.randrange(1, 9999)}"
        elif r < 0.4:
            local = f"{first}.{last}"
        elif r < 0.55:
            local = f"{first}{last}"
        elif r < 0.61:
            local = f"{first}_{last}"
        elif r < 0.73:
            local = f"{first[0]}{last}"
        elif r < 0.83:
            local = f"{first}.{last}{rng.randrange(1, 99)}"
        elif r < 0.9:
            local = f"{first}{rng.randrange(1960, 2006)}"
        elif r < 0.95:
            local = f"{last}.{first}"
        elif r < 0.98:
            local = f"{first}-{last}"
        else:
            local = f"{first}.{last}+jobs"
        if work:
            company = vocab.COMPANIES[rng.randrange(len(vocab.COMPANIES))]
            domain = (_NON_ALNUM.sub("", unidecode(company).lower())[:20] or "company") + ".example"
        else:
            domain = self.domain_pick.pick(rng)
        if rng.random() < 0.08:  # people type their address with capitals
            local = ".".join(part[:1].upper() + part[1:] for part in local.split("."))
        email = f"{local}@{domain}"
        k = 1
        while canonical_email(email) in self.email_owner:
            k += 1
            email = f"{local}{k}@{domain}"
        self.email_owner[canonical_email(email)] = index
        return email

    @staticmethod
    def _email_variant(rng: Random, email: str) -> str:
        local, _, domain = email.partition("@")
        candidates = [
            f" {email.lower()} ",
            email.upper(),
            f"{local[:1].upper()}{local[1:]}@{domain.capitalize()}",
            f"{email} ",
            f"  {email}",
            email.swapcase(),
        ]
        candidates = [c for c in candidates if c != email]
        return candidates[rng.randrange(len(candidates))]

    @staticmethod
    def _huge_headline(rng: Random) -> str:
        parts = []
        size = 0
        year = 1990
        while size < HUGE_TEXT_BYTES + 20_000:
            company = vocab.COMPANIES[rng.randrange(len(vocab.COMPANIES))]
            title = vocab.JOB_TITLES_GENERIC[rng.randrange(len(vocab.JOB_TITLES_GENERIC))]
            part = f"{title} at {company} ({year}–{year + 1 + rng.randrange(4)}): led projects, shipped things"
            parts.append(part)
            size += len(part.encode()) + 2
            year = 1990 + (year - 1990 + 1) % 35
        return ", ".join(parts)

    # -----------------------------------------------------------------------------------------------
    def _opportunity(
        self, rng: Random, contact: Json, locale: str, flags: set[str], anon: bool
    ) -> tuple[Json, OpportunityPlan]:
        oid = uid(rng)
        # posting
        posting: Json | None = None
        forced_posting = next((f[8:] for f in flags if f.startswith("posting:")), None)
        if forced_posting:
            posting = self.posting_by_id[forced_posting]
        elif "no_posting" not in flags and (rng.random() >= 0.1 or flags & {"hired", "referred"}):
            posting = self.posting_pick.pick(rng)
        if anon and posting and self.posting_window[posting["id"]][0] > ANCHOR_MS - YEAR - 30 * DAY:
            posting = None
        # origin and sources
        origin = "referred" if "referred" in flags else self.origin_pick[posting is not None].pick(rng)
        r = rng.random()
        sources: list[str] = []
        if r < 0.99:
            sources.append(self.source_pick[origin].pick(rng))
            if r < 0.04:
                other = self.source_pick[vocab.ORIGINS[rng.randrange(len(vocab.ORIGINS))]].pick(rng)
                if other not in sources:
                    sources.append(other)
        # time window
        if posting:
            lo, hi = self.posting_window[posting["id"]]
        else:
            lo, hi = ORG_START_MS, ANCHOR_MS - 2 * HOUR
        if anon:
            hi = min(hi, ANCHOR_MS - YEAR)
            lo = min(lo, hi - DAY)
        u = rng.random()
        created = lo + int((hi - lo) * (u**0.7 if not posting else u))
        age = ANCHOR_MS - created
        # outcome
        hired = "hired" in flags or (
            posting is not None
            and not anon
            and "snoozed" not in flags
            and "not_hired" not in flags
            and "moved_back" not in flags
            and rng.random() < 0.045
        )
        if hired:
            active = False
        elif "snoozed" in flags:
            active = True
        elif anon or "not_hired" in flags or (posting and posting["state"] == "closed"):
            active = False
        else:
            p_active = 0.55 if age < 60 * DAY else 0.25 if age < YEAR else 0.04
            active = rng.random() < p_active
        # stage path
        lead = posting is None or origin in ("sourced", "agency") or (origin == "referred" and rng.random() < 0.5)
        path = [0] if lead else [self.i_applicant]
        into_track = hired
        if lead:
            for nxt in (1, 2):
                if rng.random() < 0.6:
                    path.append(nxt)
                else:
                    break
            into_track = into_track or rng.random() < (0.5 if path[-1] == 2 else 0.2)
        else:
            into_track = into_track or rng.random() < 0.55
        if flags & {"panel", "feedback_deleted", "moved_back"}:
            into_track = True
        if into_track:
            stopped = False
            for s in self.i_track_pre_offer:
                if rng.random() < 0.22 and not (
                    flags & {"panel", "feedback_deleted"} and s == self.i_track_pre_offer[0]
                ):
                    continue
                path.append(s)
                if not hired and rng.random() > 0.62:
                    stopped = True
                    break
            if hired or (not stopped and rng.random() < 0.6):
                path.append(self.i_offer)
                for s in self.i_track_post_offer:
                    if rng.random() < 0.45:
                        path.append(s)
        if not hired and ((len(path) >= 3 and rng.random() < 0.02) or ("moved_back" in flags and len(path) >= 2)):
            path.append(path[-2])  # moved back a stage
        reached_offer = self.i_offer in path
        # people
        team_pool = self.recruiters
        if "owner_deactivated" in flags:
            owner = self._pick(rng, self.deactivated)
        elif posting and rng.random() < 0.55:
            owner = posting["owner"]
        else:
            owner = self._pick(rng, self.active_recruiters if age < YEAR else team_pool)
        followers = [] if rng.random() < 0.05 else [owner]
        if posting and posting["hiringManager"] and rng.random() < 0.5:
            followers.append(posting["hiringManager"])
        for _ in range(rng.randrange(3) if rng.random() < 0.4 else 0):
            f = self._pick(rng, self.user_ids)
            if f not in followers:
                followers.append(f)
        if "follower_deactivated" in flags:
            dead = next((d for d in self.deactivated if d != owner), self.deactivated[0])
            if dead not in followers:
                followers.append(dead)
        sourced_by = (
            (owner if rng.random() < 0.7 else self._pick(rng, self.recruiters)) if origin == "sourced" else None
        )
        # timeline
        times = [created]
        t = created
        for _ in path[1:]:
            t += MINUTE + int(rng.expovariate(1 / (4 * DAY)))
            times.append(t)
        archived_at = t + MINUTE + int(rng.expovariate(1 / (6 * DAY))) if not active else None
        end = archived_at or t
        updated = end + _interval(rng, SECOND, 2 * DAY)
        limit = ANCHOR_MS - HOUR
        if updated > limit:
            factor = (limit - created) / (updated - created)
            times = [created + int((x - created) * factor) for x in times]
            if archived_at is not None:
                archived_at = created + int((archived_at - created) * factor)
            updated = limit
        for j in range(1, len(times)):
            if times[j] <= times[j - 1]:
                times[j] = times[j - 1] + 1
        if archived_at is not None and archived_at <= times[-1]:
            archived_at = times[-1] + 1
        last = max(times[-1], archived_at or 0)
        if updated <= last:
            updated = last + 1
        last_interaction = _interval(rng, times[-1], updated)
        stage_changes = []
        for j, (s, when) in enumerate(zip(path, times, strict=True)):
            user = owner if j == 0 or rng.random() < 0.6 else self._pick(rng, self.recruiters)
            stage_changes.append({"toStageId": self.stage_ids[s], "toStageIndex": s, "userId": user, "updatedAt": when})
        archived = None
        if not active:
            if hired:
                reason = self.reason_hired
            elif reached_offer and rng.random() < 0.5:
                reason = self.reason_offer_declined
            elif archived_at < OLD_ARCHIVE_MS and rng.random() < 0.25:
                reason = self.reason_old
            else:
                reason = self.reasons_not_hired.pick(rng)
            archived = {"reason": reason, "archivedAt": archived_at}
        # tags
        tags: list[str] = []
        r = rng.random()
        if r < 0.3:
            tags.append(self.tag_pick.pick(rng))
            if r < 0.08:
                tags.append(self.tag_pick.pick(rng))
            if r < 0.01:
                city = self.event_cities[rng.randrange(len(self.event_cities))]
                tags.append(f"Event: {city} meetup {2016 + rng.randrange(11)}")
        if posting:
            tags.extend(self.posting_tags[posting["id"]])
        tags = list(dict.fromkeys(tags))
        rec: Json = {
            "id": oid,
            "contact": contact["id"],
            "stage": self.stage_ids[path[-1]],
            "confidentiality": posting["confidentiality"] if posting else "non-confidential",
            "archived": archived,
            "tags": tags,
            "sources": sources,
            "stageChanges": stage_changes,
            "origin": origin,
            "sourcedBy": sourced_by,
            "owner": owner,
            "followers": followers,
            "applications": [uid(rng)] if posting else [],
            "createdAt": created,
            "updatedAt": updated,
            "lastInteractionAt": last_interaction,
            "lastAdvancedAt": times[-1],
            "snoozedUntil": _future_ms(rng) if active and ("snoozed" in flags or rng.random() < 0.03) else None,
            "urls": {"list": HIRE_URL, "show": f"{HIRE_URL}/{oid}"},
            "isAnonymized": False,
            "dataProtection": None,
        }
        if posting:
            rec["opportunityLocation"] = posting["categories"]["location"] or "unspecified"
            if hired:
                self.hired_by_posting[posting["id"]] = self.hired_by_posting.get(posting["id"], 0) + 1
        plan = self._plan(rng, rec, path, posting, origin, reached_offer, hired, flags, anon)
        return rec, plan

    @property
    def origin_pick(self) -> dict[bool, Weighted]:
        if not hasattr(self, "_origin_pick"):
            self._origin_pick = {
                True: Weighted(tuple(zip(vocab.ORIGINS, vocab.ORIGIN_WEIGHTS_WITH_POSTING, strict=True))),
                False: Weighted(tuple(zip(vocab.ORIGINS, vocab.ORIGIN_WEIGHTS_WITHOUT_POSTING, strict=True))),
            }
        return self._origin_pick

    @property
    def source_pick(self) -> dict[str, Weighted]:
        if not hasattr(self, "_source_pick"):
            self._source_pick = {o: Weighted(pairs) for o, pairs in vocab.SOURCES_BY_ORIGIN.items()}
        return self._source_pick

    @property
    def tag_pick(self) -> Weighted:
        if not hasattr(self, "_tag_pick"):
            self._tag_pick = Weighted(vocab.CUSTOM_TAGS)
        return self._tag_pick

    @property
    def event_cities(self) -> list[str]:
        return [loc[0] for loc in vocab.POSTING_LOCATIONS]

    # -----------------------------------------------------------------------------------------------
    def _plan(
        self,
        rng: Random,
        rec: Json,
        path: list[int],
        posting: Json | None,
        origin: str,
        reached_offer: bool,
        hired: bool,
        flags: set[str],
        anon: bool,
    ) -> OpportunityPlan:
        rand = rng.random
        plan = OpportunityPlan(applications=1 if posting else 0, posting=posting["id"] if posting else None)
        # interviews: one panel per interview stage visited (most of the time); on-sites have several
        for s in dict.fromkeys(path):
            text = vocab.STAGE_DEFS[s][1]
            if text in vocab.INTERVIEW_STAGE_TEXTS and rand() < 0.85:
                plan.panels += 1
                if text == "On-site interview":
                    plan.interviews += 2 + rng.randrange(4) + (rng.randrange(4) if rand() < 0.1 else 0)
                else:
                    plan.interviews += 1
        if "panel" in flags:
            plan.panels = max(plan.panels, 2)
            plan.interviews = max(plan.interviews, 3)
        feedback = sum(1 for _ in range(plan.interviews) if rand() < 0.85)
        r = rand()
        if r < 0.15:
            feedback += 1 + (1 if r < 0.03 else 0)
        if "feedback_deleted" in flags:
            feedback = max(feedback, 2)
        if "keep_history" in flags:
            feedback = max(feedback, 1)
        plan.feedback = feedback
        plan.feedback_deleted = sum(1 for _ in range(feedback) if rand() < 0.03)
        if "feedback_deleted" in flags:
            plan.feedback_deleted = max(plan.feedback_deleted, 1)
        # notes: long tail
        notes = _long_tail(rng, NOTES_PER_OPPORTUNITY, rand())
        forced_notes = {"huge_note", "html_note", "secret_note", "scored_note", "threaded_note"} & flags
        if forced_notes or "keep_history" in flags:
            notes = max(notes, 2)
        secret = scored = threaded = huge = html = 0
        for _ in range(notes):
            x = rand()
            secret += x < 0.08
            scored += 0.3 < x < 0.5
            threaded += 0.6 < x < 0.72
            huge += 0.9 < x < 0.9002
            html += 0.95 < x < 0.952
        plan.notes = notes
        plan.notes_secret = max(secret, int("secret_note" in flags))
        plan.notes_scored = max(scored, int("scored_note" in flags))
        plan.notes_threaded = max(threaded, int("threaded_note" in flags))
        plan.notes_huge = max(huge, int("huge_note" in flags))
        plan.notes_html = max(html, int("html_note" in flags))
        # profile forms once past the first screen
        if (max(path) > self.i_applicant and rand() < 0.12) or "form" in flags:
            plan.forms = 1 + (rand() < 0.15)
        if reached_offer:
            r = rand()
            plan.offers = 2 if r < 0.15 else 1 if (hired or r < 0.85) else 0
        if origin == "referred":
            r = rand()
            plan.referrals = 2 if r < 0.03 else 0 if (r > 0.98 and "referred" not in flags) else 1
        if not anon:
            r = rand()
            if origin in ("applied", "university", "internal"):
                plan.resumes = 0 if r < 0.07 else 2 if r < 0.12 else 1
            else:
                plan.resumes = 0 if r < 0.42 else 2 if r < 0.45 else 1
            if "resume_error" in flags:
                plan.resumes = max(plan.resumes, 1)
            plan.resumes_unprocessable = sum(1 for _ in range(plan.resumes) if rand() < 0.025)
            if "resume_error" in flags:
                plan.resumes_unprocessable = max(plan.resumes_unprocessable, 1)
            plan.files = _long_tail(rng, FILES_PER_OPPORTUNITY, rand())
            if "file_error" in flags:
                plan.files = max(plan.files, 2)
            plan.files_unprocessable = sum(1 for _ in range(plan.files) if rand() < 0.04)
            if "file_error" in flags:
                plan.files_unprocessable = max(plan.files_unprocessable, 1)
        return plan

    # -----------------------------------------------------------------------------------------------
    def _deleted_opportunities(self) -> None:
        """Opportunities deleted from Lever: served by /opportunities/deleted only (full view + who/when)."""
        rng = self.rng("deleted")
        total = len(self.org.opportunities)
        n = max(2, round(total * 0.008))
        live_contacts = [cid for cid in self.contact_ids if not self.org.contacts[cid]["isAnonymized"]]
        saved_hired = dict(self.hired_by_posting)
        for _ in range(n):
            contact = self.org.contacts[live_contacts[rng.randrange(len(live_contacts))]]
            rec, _plan = self._opportunity(rng, contact, "en_US", set(), False)
            view = {"id": rec["id"]}
            for key in ("name", "headline", "emails", "phones", "links", "location"):
                value = contact[key]
                view[key] = list(value) if isinstance(value, list) else value
            view.update((k, v) for k, v in rec.items() if k != "id")
            view["deletedBy"] = self._pick(rng, self.admins)
            view["deletedAt"] = _interval(rng, rec["updatedAt"] + 1, ANCHOR_MS - 1)
            self.org.deleted_opportunities.append(view)
        self.hired_by_posting = saved_hired


def generate_org(seed: int, contacts: int) -> LeverOrg:
    """Build the synthetic Lever org for `seed` with `contacts` people (10 to 100,000; at least 7 works).

    Deterministic: the same arguments always give an identical org (and identical materialized
    sub-resources). The org's sub-resources are produced on demand by `materialize.materialize`,
    which is installed as `org.materializer`.
    """
    if contacts < 7:
        raise ValueError("contacts must be at least 7 (the forced edge-case contacts need 7 people)")
    return _Builder(seed, contacts).build()
