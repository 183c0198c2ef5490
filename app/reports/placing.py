"""Where a sentence's events happened: the places of a mention's clause (one event per place
in a list), where people fled from and to, and "the area" or "the city" read before."""

from app.reports.building import Building
from app.reports.cues import ANAPHORIC_PLACE
from app.reports.grouping import Context, Group, inside, listed_places, most_specific
from app.reports.mentions import Mention
from app.reports.places import PlaceRef, capital_of
from app.reports.text import Sentence


class Placing:
    """The place rules of `Reader`, which holds the context and the drafts under way."""

    context: Context
    drafts: list[Building]

    def _places_of(
        self,
        sentence: Sentence,
        mention: Mention,
        places: list[PlaceRef],
        claimant_spans: list[tuple[int, int]],
        mentions: list[Mention],
    ) -> list[PlaceRef | None]:
        """Where a mention happened: the places of its clause (or sentence), a list of places
        giving one event each; a place named in a source's title only as a last resort; not
        the place of a withdrawal told in another clause ("fighting in the valley began hours
        after the last U.S. troops left Kabul airport")."""
        s = sentence.text
        named = [p for p in places if p.role != "reference"]
        if mention.kind != "withdrawal_milestone":
            withdrawals = [
                (m.start, sentence.clause_around(m.start)[1])
                for m in mentions
                if m.kind == "withdrawal_milestone" and m.milestone != "base_handover"
            ]
            named = [p for p in named if not inside(p.start, withdrawals)]
        usable = [p for p in named if not inside(p.start, claimant_spans)] or named
        if not usable:
            return [None]
        start, end = sentence.clause_around(mention.start)
        in_clause = [p for p in usable if start <= p.start < end]
        if not in_clause and s[start:end].lstrip(", ").lower().startswith("where"):
            in_clause = [p for p in usable if p.start < start][-1:]
        if not in_clause and mention.kind == "offensive":
            # "fled from Shiberghan city to Mazar-e-Sharif after the Taliban captured the
            # city": fighting is where people fled from, not where they went
            usable = [p for p in usable if p.role != "destination"] or usable
        chosen = in_clause or usable
        if mention.kind == "offensive":
            listed = listed_places(s, chosen)
            if listed:
                return list(listed)
        nearest = min(chosen, key=lambda p: abs(p.start - mention.start))
        if nearest.district is None:
            finer = [p for p in chosen if p.district and p.province == nearest.province]
            if finer:
                nearest = min(finer, key=lambda p: abs(p.start - mention.start))
        return [nearest]

    def _displacement_places(
        self,
        group: Group,
        places: list[PlaceRef],
        claimant_spans: list[tuple[int, int]],
        index: int,
    ) -> None:
        """Where people fled from and to; the event is placed where they fled from."""
        usable = [p for p in places if not inside(p.start, claimant_spans)]
        origins = [p for p in usable if p.role == "origin"]
        destinations = [p for p in usable if p.role == "destination"]
        if origins:
            group.origin = most_specific(origins)
        if destinations:
            group.destination = most_specific(destinations)
        if group.destination and not group.origin and len(usable) == len(destinations):
            group.origin = self._fled_from(group.destination, index)
        main = group.origin or (group.destination if not group.province else None)
        if main:
            group.province, group.district = main.province, main.district
            group.place_note = main.note
        elif group.destination and group.province and group.district == group.destination.district:
            group.district = None

    def _fled_from(self, destination: PlaceRef, index: int) -> PlaceRef | None:
        """'Taliban fighters stormed Lashkar Gah ... Thousands have fled to Kandahar city':
        people who are only said to have reached a place fled the fighting just told, in
        another province; unless there was fighting in that place's province too."""
        recent = [
            d
            for d in self.drafts
            if d.kind == "offensive" and d.province is not None and index - d.last_sentence <= 3
        ]
        if not recent or any(d.province == destination.province for d in recent):
            return None
        fought = max(recent, key=lambda d: d.last_sentence)
        if index - fought.last_sentence > 2:
            return None
        assert fought.province is not None
        note = f"where the fighting just told was ({fought.place_note or fought.province.name})"
        return PlaceRef(0, 0, "", fought.province, fought.district, note, "origin")

    def _anaphoric_place(self, s: str, group: Group) -> None:
        """'the area', 'the town': the place last named; 'the city': its province's capital."""
        cue = ANAPHORIC_PLACE.search(s)
        last = self.context.last_place
        if not cue or last is None:
            return
        province, district = last
        word = cue.group(0).lower()
        how = "the place last named"
        if "capital" in word or "city" in word:
            district, how = capital_of(province), "the capital of the province last named"
        elif "province" in word:
            district, how = None, "the province last named"
        group.province, group.district = province, district
        group.placed_by_anaphora = True
        where = f"{district.name}, {province.name}" if district else province.name
        group.place_note = f"'{cue.group(0)}': {how} ({where})"
