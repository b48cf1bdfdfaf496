"""MatcherService over gRPC. Bad input is INVALID_ARGUMENT; the caller must carry the gateway's signed identity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import grpc
from overstap.matcher.v1 import matcher_pb2 as pb
from overstap.matcher.v1 import matcher_pb2_grpc as pb_grpc
from overstap_common.principal import InvalidPrincipal, Principal, decode_principal

from overstap_matcher.domain.labels import LabelBook
from overstap_matcher.domain.model import CandidateMatch, Evidence, Match, OfferedSkill, VacancyMatch
from overstap_matcher.domain.paskamer import ProfileMatch, SkillGap
from overstap_matcher.domain.person import person_with_history
from overstap_matcher.domain.service import MAX_LIMIT, InvalidQuery, OccupationMatcher, OccupationQuery
from overstap_matcher.domain.summary import summarize, summarize_profile
from overstap_matcher.domain.vacancies import VacancyFilters
from overstap_matcher.feeds.candidates import CandidateSearch
from overstap_matcher.feeds.vacancies import VacancyFeed, VacancyInfo

LANGUAGES = ("nl", "en")
EVIDENCE_IN = {
    pb.EVIDENCE_LEVEL_UNSPECIFIED: Evidence.SEMI_HARD,
    pb.EVIDENCE_LEVEL_SOFT: Evidence.SOFT,
    pb.EVIDENCE_LEVEL_SEMI_HARD: Evidence.SEMI_HARD,
    pb.EVIDENCE_LEVEL_HARD: Evidence.HARD,
}
EVIDENCE_OUT = {
    Evidence.SOFT: pb.EVIDENCE_LEVEL_SOFT,
    Evidence.SEMI_HARD: pb.EVIDENCE_LEVEL_SEMI_HARD,
    Evidence.HARD: pb.EVIDENCE_LEVEL_HARD,
}


def skills_from_pb(offered: Iterable[pb.OfferedSkill]) -> list[OfferedSkill]:
    skills = []
    for s in offered:
        if s.evidence not in EVIDENCE_IN:
            raise InvalidQuery(f"unknown evidence level {s.evidence} for {s.skill_id}")
        if not 0.0 <= s.weight <= 1.0:
            raise InvalidQuery(f"skill weight must be in (0, 1], got {s.weight} for {s.skill_id}")
        skills.append(OfferedSkill(s.skill_id, EVIDENCE_IN[s.evidence], s.weight or 1.0))
    return skills


def query_from_pb(request: pb.MatchOccupationsRequest) -> OccupationQuery:
    f = request.filters
    return OccupationQuery(
        skills=skills_from_pb(request.skills),
        occupations=list(request.occupations),
        isco_major_groups=frozenset(f.isco_major_groups),
        job_zones=frozenset(f.job_zones),
        dutch_label_only=f.dutch_label_only,
        min_score=f.min_score,
        limit=request.limit or 20,
        include_own=request.include_own,
        list_limit=request.list_limit,
    )


EMPTY_REF = pb.ConceptRef()


@dataclass(frozen=True, slots=True)
class SkillTable:
    """The skills one response names: their references in order, each id's position (None and "" are 0), and how
    many shortage and surplus skills each match shows (None: every one)."""

    refs: list[pb.ConceptRef]
    positions: dict[str | None, int]
    list_limit: int | None


class MatchConverter:
    def __init__(self, labels: LabelBook, isco_codes: dict[str, str], language: str) -> None:
        self.labels = labels
        self.isco_codes = isco_codes
        self.language = language
        self._refs: dict[str, pb.ConceptRef] = {}

    def ref(self, concept_id: str | None) -> pb.ConceptRef | None:
        """The concept with its label, built once per concept (messages are copied when assigned into a reply)."""
        if not concept_id:
            return None
        cached = self._refs.get(concept_id)
        if cached is None:
            label = self.labels.label(concept_id, self.language)
            cached = pb.ConceptRef(id=concept_id, label=pb.Label(text=label.text, language=label.language))
            self._refs[concept_id] = cached
        return cached

    def skill_table(
        self, matches: Iterable[Match | VacancyMatch | CandidateMatch], list_limit: int = 0
    ) -> SkillTable:
        """Every skill and skill group the explanations show, once, with its position (0 is "none"); a list_limit
        above 0 shows only that many shortage and surplus skills per match, the most important first."""
        limit = list_limit or None
        positions: dict[str | None, int] = {None: 0, "": 0}
        for m in matches:
            for p in m.productive:
                positions.setdefault(p.skill_id, len(positions) - 1)
            for s in m.shortage[:limit]:
                positions.setdefault(s.skill_id, len(positions) - 1)
                positions.setdefault(s.group_id, len(positions) - 1)
                positions.setdefault(s.related_via, len(positions) - 1)
            for skill_id in m.surplus[:limit]:
                positions.setdefault(skill_id, len(positions) - 1)
        refs = [EMPTY_REF] + [self.ref(concept_id) or EMPTY_REF for concept_id in list(positions)[2:]]
        return SkillTable(refs, positions, limit)

    def explain_into(
        self, out: Any, m: Match | VacancyMatch | CandidateMatch, target: str, table: SkillTable
    ) -> None:
        """Fill the fields every explained result shares: parts, productive, shortage, surplus, background, summary.
        Skills are named by their position in the response's skill table (which carries each id and label once),
        and every sub-message is built in place: one built apart is copied again when assigned."""
        at = table.positions
        out.score = m.score
        out.rank = m.rank
        add_part = out.parts.add
        for name, value in m.parts.items():
            add_part(name=name, value=value)
        add_productive = out.productive.add
        for p in m.productive:
            add_productive(
                skill=at[p.skill_id],
                relation=p.relation,
                evidence=EVIDENCE_OUT[p.evidence],
                coverage=p.coverage,
                related=p.related,
                use=p.use,
            )
        limit = table.list_limit
        add_shortage = out.shortage.add
        for s in m.shortage[:limit]:
            add_shortage(
                skill=at[s.skill_id],
                relation=s.relation,
                group=at[s.group_id],
                related_credit=s.related_credit,
                related_via=at[s.related_via],
                evidence_required=EVIDENCE_OUT[s.evidence_required] if s.evidence_required else 0,
            )
        out.surplus.extend([at[skill_id] for skill_id in m.surplus[:limit]])
        out.shortage_total = m.counts.shortage
        out.surplus_total = m.counts.surplus
        self.background_into(out, m)
        out.summary = summarize(m, self.labels, self.language, target)

    def match_into(self, out: pb.OccupationMatch, m: Match, table: SkillTable) -> None:
        self.ref_into(out.occupation, m.occupation_id)
        out.isco_code = self.isco_codes.get(m.occupation_id, "")
        self.explain_into(out, m, "occupation", table)

    def vacancy_match_into(
        self, out: pb.VacancyMatch, m: VacancyMatch, info: VacancyInfo | None, table: SkillTable
    ) -> None:
        out.vacancy.vacancy_id = m.vacancy_id
        if info is not None:
            v = out.vacancy
            v.job_board, v.external_id, v.title = info.job_board, info.external_id, info.title
            v.employer, v.location, v.expires_on = info.employer, info.location, info.expires_on
        if m.occupation_id:
            self.ref_into(out.occupation, m.occupation_id)
        self.explain_into(out, m, "vacancy", table)

    def candidate_match_into(self, out: pb.CandidateMatch, m: CandidateMatch, table: SkillTable) -> None:
        out.passport_id = m.candidate_id
        self.explain_into(out, m, "candidate", table)

    def ref_into(self, out: pb.ConceptRef, concept_id: str | None) -> None:
        ref = self.ref(concept_id)
        if ref is not None:
            out.CopyFrom(ref)

    def gap(self, g: SkillGap) -> pb.OnetSkillGap:
        return pb.OnetSkillGap(
            skill=self.ref(g.skill_id),
            person_level=g.person_level,
            required_level=g.required_level,
            importance=g.importance,
            points=g.points,
        )

    def profile_match(self, m: ProfileMatch) -> pb.ProfileMatch:
        return pb.ProfileMatch(
            occupation=self.ref(m.occupation_id),
            isco_code=self.isco_codes.get(m.occupation_id, ""),
            rank=m.rank,
            score=m.score,
            onet_occupation=self.ref(m.onet_id),
            link_weight=m.link_weight,
            productive=[self.gap(g) for g in m.productive],
            shortage=[self.gap(g) for g in m.shortage],
            surplus=[self.gap(g) for g in m.surplus],
            summary=summarize_profile(m, self.labels, self.language),
        )

    def background_into(self, out: Any, m: Match | VacancyMatch | CandidateMatch) -> None:
        b = m.background
        if b is None:
            return
        onet_origin, onet_target = b.onet_pair or ("", "")
        background = out.background
        self.ref_into(background.origin, b.origin_id)
        background.declared = b.declared
        background.strength = b.strength
        background.proximity = b.proximity
        background.shared_isco_digits = b.shared_isco_digits
        background.onet_origin = onet_origin
        background.onet_target = onet_target
        background.shared_soc_levels = b.shared_soc_levels or 0
        background.onet_profile_similarity = b.onet_profile_similarity or 0.0
        background.job_zone_gap = b.job_zone_gap or 0
        background.SetInParent()  # present even when every field is zero


class MatcherServicer(pb_grpc.MatcherServiceServicer):
    def __init__(
        self,
        matcher: OccupationMatcher,
        principal_key: str,
        principal_max_age: float = 300,
        vacancies: VacancyFeed | None = None,
        candidates: CandidateSearch | None = None,
    ) -> None:
        self.matcher = matcher
        self.vacancies = vacancies
        self.candidates = candidates
        self._key = principal_key
        self._max_age = principal_max_age
        self._converters: dict[str, MatchConverter] = {}  # per language; each caches its concept references

    def _converter(self, language: str) -> MatchConverter:
        converter = self._converters.get(language)
        if converter is None:
            converter = MatchConverter(self.matcher.labels, self.matcher.isco_codes, language)
            self._converters[language] = converter
        return converter

    async def _authenticate(self, context: grpc.aio.ServicerContext) -> Principal:
        try:
            return decode_principal(context.invocation_metadata(), self._key, max_age=self._max_age)
        except InvalidPrincipal as exc:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, str(exc))
            raise

    async def MatchVacancies(
        self, request: pb.MatchVacanciesRequest, context: grpc.aio.ServicerContext
    ) -> pb.MatchVacanciesResponse:
        await self._authenticate(context)
        if self.vacancies is None:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "this matcher has no vacancy feed")
        language = request.language or "nl"
        feed = self.vacancies
        try:
            _check_language(language)
            query = OccupationQuery(
                skills=skills_from_pb(request.skills),
                occupations=list(request.occupations),
                isco_major_groups=frozenset(request.filters.isco_major_groups),
                min_score=request.filters.min_score,
                limit=request.limit or 20,
            )
            self.matcher.validate(query)
            person = person_with_history(self.matcher.index, query.skills, query.occupations)
            filters = VacancyFilters(
                min_score=query.min_score,
                isco_major_groups=query.isco_major_groups or None,
                excluded=feed.expired_ids(),
            )
            ranking = feed.index.rank(person, k=query.limit, filters=filters)
        except InvalidQuery as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        converter = self._converter(language)
        reply = pb.MatchVacanciesResponse(indexed_vacancies=len(feed.index), bundle_version=self.matcher.version)
        table = converter.skill_table(ranking.matches, request.list_limit)
        for m in ranking.matches:
            converter.vacancy_match_into(reply.matches.add(), m, feed.info.get(m.vacancy_id), table)
        reply.skills.extend(table.refs)
        return reply

    async def FindCandidates(
        self, request: pb.FindCandidatesRequest, context: grpc.aio.ServicerContext
    ) -> pb.FindCandidatesResponse:
        caller = await self._authenticate(context)
        if self.vacancies is None or self.candidates is None:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "this matcher has no vacancy or passport feed")
        language = request.language or "nl"
        try:
            _check_language(language)
            if not 1 <= (request.limit or 20) <= MAX_LIMIT or not 0 <= request.min_score <= 1:
                raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}, min_score between 0 and 1")
        except InvalidQuery as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        if not caller.organisation or not caller.has_scope("passport:candidates"):
            await context.abort(
                grpc.StatusCode.PERMISSION_DENIED,
                "candidate search needs an organisation with scope passport:candidates",
            )
        info = self.vacancies.info.get(request.vacancy_id)
        vacancy = self.vacancies.index.get(request.vacancy_id)
        if info is None or vacancy is None or info.job_board != caller.organisation:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no vacancy {request.vacancy_id} of yours is indexed")
        ranking, considered = await self.candidates.rank(caller, vacancy, request.limit or 20, request.min_score)
        converter = self._converter(language)
        reply = pb.FindCandidatesResponse(considered=considered, bundle_version=self.matcher.version)
        table = converter.skill_table(ranking.matches, request.list_limit)
        for m in ranking.matches:
            converter.candidate_match_into(reply.matches.add(), m, table)
        reply.skills.extend(table.refs)
        return reply

    async def MatchOnetProfile(
        self, request: pb.MatchOnetProfileRequest, context: grpc.aio.ServicerContext
    ) -> pb.MatchOnetProfileResponse:
        await self._authenticate(context)
        language = request.language or "nl"
        try:
            _check_language(language)
            levels: dict[str, float] = {}
            for item in request.levels:
                if item.skill_id in levels:
                    raise InvalidQuery(f"{item.skill_id} is rated twice")
                levels[item.skill_id] = item.level
            f = request.filters
            query = OccupationQuery(
                skills=(),
                occupations=(),
                isco_major_groups=frozenset(f.isco_major_groups),
                job_zones=frozenset(f.job_zones),
                dutch_label_only=f.dutch_label_only,
                min_score=f.min_score,
                limit=request.limit or 20,
            )
            matches = self.matcher.match_profile(levels, query)
        except InvalidQuery as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        converter = self._converter(language)
        return pb.MatchOnetProfileResponse(
            matches=[converter.profile_match(m) for m in matches], bundle_version=self.matcher.version
        )

    async def MatchOccupations(
        self, request: pb.MatchOccupationsRequest, context: grpc.aio.ServicerContext
    ) -> pb.MatchOccupationsResponse:
        await self._authenticate(context)
        language = request.language or "nl"
        try:
            _check_language(language)
            ranking = self.matcher.match(query_from_pb(request))
        except InvalidQuery as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        converter = self._converter(language)
        reply = pb.MatchOccupationsResponse(bundle_version=self.matcher.version)
        table = converter.skill_table(ranking.matches, request.list_limit)
        for m in ranking.matches:
            converter.match_into(reply.matches.add(), m, table)
        reply.skills.extend(table.refs)
        return reply


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidQuery(f"language must be nl or en, not {language!r}")
