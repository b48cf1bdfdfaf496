"""Candidates for a vacancy: the passports whose owners consented to `vacancy-candidates` for the caller.

At every search the passport service streams the skill sets it may show the caller *now* (it checks consent and
audits each listing). The matcher keeps one candidate pool per party so that unchanged passports (same version)
are not encoded again, and ranks only the ids of this very stream: a withdrawn consent is absent from the next
search.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from overstap.passport.v1 import passport_pb2 as ppb
from overstap.passport.v1 import passport_pb2_grpc as ppb_grpc
from overstap_common.principal import Principal, encode_principal

from overstap_matcher.domain.candidates import CandidatePool, CandidateRanking
from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import Evidence, OfferedSkill, Vacancy
from overstap_matcher.domain.person import person_with_history

EVIDENCE = {
    ppb.EVIDENCE_KIND_SOFT: Evidence.SOFT,
    ppb.EVIDENCE_KIND_SEMI_HARD: Evidence.SEMI_HARD,
    ppb.EVIDENCE_KIND_HARD: Evidence.HARD,
}


def offered_skills(skill_set: ppb.SkillSet) -> list[OfferedSkill]:
    return [OfferedSkill(s.skill_uri, EVIDENCE.get(s.best_evidence_kind, Evidence.SOFT)) for s in skill_set.skills]


class CandidateSearch:
    def __init__(self, index: MatcherIndex, passport: ppb_grpc.PassportServiceStub, principal_key: str) -> None:
        self.index = index
        self._passport = passport
        self._key = principal_key
        self._pools: dict[str, tuple[CandidatePool, dict[str, int]]] = {}
        self._lock = asyncio.Lock()

    async def consenting_skill_sets(self, caller: Principal) -> list[ppb.SkillSet]:
        skill_sets: list[ppb.SkillSet] = []
        stream = self._passport.ListCandidateSkillSets(
            ppb.ListCandidateSkillSetsRequest(page_size=500), metadata=encode_principal(caller, self._key), timeout=60
        )
        async for page in stream:
            skill_sets.extend(page.skill_sets)
        return skill_sets

    def _refresh_pool(self, party: str, skill_sets: Sequence[ppb.SkillSet]) -> CandidatePool:
        pool, versions = self._pools.get(party) or (CandidatePool(self.index, {}), {})
        current = {s.passport_id for s in skill_sets}
        for gone in set(versions) - current:
            pool.remove(gone)
            del versions[gone]
        for skill_set in skill_sets:
            if versions.get(skill_set.passport_id) != skill_set.version:
                pool.upsert(skill_set.passport_id, person_with_history(self.index, offered_skills(skill_set), ()))
                versions[skill_set.passport_id] = skill_set.version
        self._pools[party] = (pool, versions)
        return pool

    async def rank(self, caller: Principal, vacancy: Vacancy, k: int, min_score: float) -> tuple[CandidateRanking, int]:
        skill_sets = await self.consenting_skill_sets(caller)
        async with self._lock:
            pool = self._refresh_pool(caller.party, skill_sets)
            consenting = {s.passport_id for s in skill_sets}
            return pool.rank(vacancy, consenting=consenting, k=k, min_score=min_score), len(consenting)
