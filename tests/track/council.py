"""A small council served as an OParl 1.1 API whose content changes between two crawls.

Modelled on :mod:`ratsinfo.demo.sample`: a town council with a Bauausschuss, papers numbered the
SessionNet way (``2026/0102``, supplements ``2026/0102/1``), consultations whose results come
from the meetings' agenda items, and PDF attachments. Dates are relative to the day the test
runs, so the source looks alive (or, with ``silent``, stopped delivering months ago) on any day.

Version 2 is what the council shows some days later:

* the Rat decided the Antrag ``A`` ("mit Änderungen beschlossen" on its agenda item);
* the Verwaltung answered the Anfrage ``Q`` with the Stellungnahme ``Q/1``;
* the Beschlussvorlage ``B`` got a second attachment (a Lageplan);
* the Mitteilung ``M`` was deleted (OParl sends a stub with ``deleted: true``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ratsinfo.demo.server import Response, Site
from tests.conftest import TINY_PDF

OPARL = "https://schema.oparl.org/1.1/"

A, Q, B, M, OLD_Q, AMEND = "2026/0101", "2026/0102", "2026/0103", "2026/0104", "2026/0099", "2026/0105"
ANSWER = "2026/0102/1"
OLD_ANSWER = "2026/0099/1"
DECIDED = "mit Änderungen beschlossen"


@dataclass
class Council:
    origin: str
    prefix: str = "/musterstadt"
    name: str = "Stadt Musterstadt"
    silent: bool = False  # papers stopped 200 days ago
    today: date = field(default_factory=date.today)
    version: int = 1
    old_modified: str = field(
        default_factory=lambda: (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="seconds")
    )

    @property
    def api(self) -> str:
        return f"{self.origin}{self.prefix}/oparl/v1.1"

    @property
    def system_url(self) -> str:
        return f"{self.api}/system"

    @property
    def body_url(self) -> str:
        return f"{self.api}/bodies/1"

    def day(self, days_ago: int) -> str:
        return (self.today - timedelta(days=days_ago + (200 if self.silent else 0))).isoformat()

    def _obj(self, kind: str, url: str, modified: str | None = None, **values: Any) -> dict[str, Any]:
        stamp = modified or self.old_modified
        return {"id": url, "type": OPARL + kind, **values, "created": self.old_modified, "modified": stamp}

    def org(self, key: str) -> str:
        return f"{self.body_url}/organizations/{key}"

    def paper_url(self, number: int) -> str:
        return f"{self.body_url}/papers/{number}"

    # --- content ----------------------------------------------------------------------------

    def organizations(self) -> list[dict[str, Any]]:
        rows = [
            ("rat", "Rat der Stadt Musterstadt", "Gremium", "Rat"),
            ("bau", "Bau- und Umweltausschuss", "Gremium", "Ausschuss"),
            ("spd", "SPD-Fraktion", "Fraktion", "Fraktion"),
            ("gruene", "Fraktion Bündnis 90/Die Grünen", "Fraktion", "Fraktion"),
            ("fb61", "Fachbereich 61 Stadtplanung", "Verwaltungsbereich", "Fachbereich"),
        ]
        return [
            self._obj(
                "Organization",
                self.org(k),
                body=self.body_url,
                name=n,
                organizationType=t,
                classification=c,
            )
            for k, n, t, c in rows
        ]

    def meetings(self) -> list[dict[str, Any]]:
        """The Bauausschuss met three weeks ago, the Rat a week ago."""
        changed = datetime.now(UTC).isoformat(timespec="seconds") if self.version > 1 else None
        bau, rat = f"{self.body_url}/meetings/bau1", f"{self.body_url}/meetings/rat1"
        bau_items = [
            self._agenda("bau1", 1, "Sichere Radwege an der Hauptstraße", "empfohlen"),
            self._agenda("bau1", 2, 'Bebauungsplan Nr. 45 "Am Mühlenbach"', "einstimmig beschlossen"),
        ]
        rat_items = [
            self._agenda(
                "rat1",
                1,
                "Sichere Radwege an der Hauptstraße",
                DECIDED if self.version > 1 else None,
                modified=changed,
            ),
            self._agenda("rat1", 2, "Änderungsantrag: Radwege auch in der Bahnhofstraße", "abgelehnt"),
            self._agenda("rat1", 3, "Spielplätze im Stadtteil Nord", "zur Kenntnis genommen"),
        ]
        return [
            self._obj(
                "Meeting",
                bau,
                name="Sitzung des Bau- und Umweltausschusses",
                start=f"{self.day(21)}T17:00:00+02:00",
                organization=[self.org("bau")],
                agendaItem=bau_items,
            ),
            self._obj(
                "Meeting",
                rat,
                modified=changed,
                name="Sitzung des Rates",
                start=f"{self.day(7)}T18:00:00+02:00",
                organization=[self.org("rat")],
                agendaItem=rat_items,
            ),
        ]

    def _agenda(
        self, meeting: str, n: int, name: str, result: str | None, modified: str | None = None
    ) -> dict:
        values: dict[str, Any] = {
            "meeting": f"{self.body_url}/meetings/{meeting}",
            "number": str(n),
            "name": name,
            "public": True,
        }
        if result:
            values["result"] = result
        return self._obj("AgendaItem", f"{self.body_url}/agendaitems/{meeting}-{n}", modified, **values)

    def _consultation(self, number: int, i: int, meeting: str, agenda: int, org: str, role: str) -> dict:
        return self._obj(
            "Consultation",
            f"{self.body_url}/consultations/{number}-{i}",
            paper=self.paper_url(number),
            meeting=f"{self.body_url}/meetings/{meeting}",
            agendaItem=f"{self.body_url}/agendaitems/{meeting}-{agenda}",
            organization=[self.org(org)],
            role=role,
            authoritative=role == "Entscheidung",
        )

    def _file(self, number: int, j: int, name: str, days_ago: int) -> dict[str, Any]:
        return self._obj(
            "File",
            f"{self.body_url}/files/{number}-{j}",
            name=name,
            fileName=f"{number}-{j}.pdf",
            mimeType="application/pdf",
            size=len(TINY_PDF),
            accessUrl=f"{self.origin}{self.prefix}/files/{number}-{j}.pdf",
            date=self.day(days_ago),
        )

    def _paper(
        self,
        number: int,
        reference: str,
        name: str,
        paper_type: str,
        days_ago: int,
        modified: str | None = None,
        **values: Any,
    ) -> dict[str, Any]:
        return self._obj(
            "Paper",
            self.paper_url(number),
            modified,
            body=self.body_url,
            name=name,
            reference=reference,
            date=self.day(days_ago),
            paperType=paper_type,
            **values,
        )

    def papers(self) -> list[dict[str, Any]]:
        v2 = self.version > 1
        changed = datetime.now(UTC).isoformat(timespec="seconds") if v2 else None
        out = [
            self._paper(
                1,
                OLD_Q,
                "Baustellenkoordination in der Innenstadt",
                "Anfrage",
                60,
                originatorOrganization=[self.org("spd")],
            ),
            self._paper(
                2,
                OLD_ANSWER,
                "Baustellenkoordination in der Innenstadt",
                "Stellungnahme",
                45,
                underDirectionOf=[self.org("fb61")],
                relatedPaper=[self.paper_url(1)],
            ),
            self._paper(
                3,
                A,
                "Sichere Radwege an der Hauptstraße",
                "Antrag",
                30,
                modified=changed,
                originatorOrganization=[self.org("gruene")],
                consultation=[
                    self._consultation(3, 1, "bau1", 1, "bau", "Vorberatung"),
                    self._consultation(3, 2, "rat1", 1, "rat", "Entscheidung"),
                ],
            ),
            self._paper(
                4,
                Q,
                "Zustand der Spielplätze im Stadtteil Nord",
                "Anfrage",
                28,
                originatorOrganization=[self.org("spd")],
                consultation=[self._consultation(4, 1, "rat1", 3, "rat", "Kenntnisnahme")],
            ),
            self._paper(
                5,
                B,
                'Bebauungsplan Nr. 45 "Am Mühlenbach"',
                "Beschlussvorlage",
                25,
                modified=changed,
                underDirectionOf=[self.org("fb61")],
                consultation=[self._consultation(5, 1, "bau1", 2, "bau", "Entscheidung")],
                mainFile=self._file(5, 1, "Beschlussvorlage", 25),
                **({"auxiliaryFile": [self._file(5, 2, "Anlage 2 Lageplan", 3)]} if v2 else {}),
            ),
            self._paper(
                7,
                AMEND,
                "Änderungsantrag: Radwege auch in der Bahnhofstraße",
                "Änderungsantrag",
                10,
                originatorOrganization=[self.org("spd")],
                relatedPaper=[self.paper_url(3)],
                consultation=[self._consultation(7, 1, "rat1", 2, "rat", "Entscheidung")],
            ),
        ]
        if v2:
            out.append(
                {"id": self.paper_url(6), "type": OPARL + "Paper", "deleted": True, "modified": changed}
            )
            out.append(
                self._paper(
                    8,
                    ANSWER,
                    "Zustand der Spielplätze im Stadtteil Nord",
                    "Stellungnahme",
                    2,
                    modified=changed,
                    underDirectionOf=[self.org("fb61")],
                    relatedPaper=[self.paper_url(4)],
                    consultation=[self._consultation(8, 1, "rat1", 3, "rat", "Kenntnisnahme")],
                )
            )
        else:
            out.append(
                self._paper(
                    6, M, "Baustellen im Oktober", "Mitteilung", 15, underDirectionOf=[self.org("fb61")]
                )
            )
        return out

    # --- serving ----------------------------------------------------------------------------

    def install(self, site: Site, version: int = 1) -> str:
        """Serve this version of the council on ``site``; returns the System URL."""
        self.version = version
        body = self._obj(
            "Body",
            self.body_url,
            system=self.system_url,
            name=self.name,
            shortName=self.name.split()[-1],
            organization=f"{self.body_url}/organizations",
            person=f"{self.body_url}/persons",
            meeting=f"{self.body_url}/meetings",
            paper=f"{self.body_url}/papers",
        )
        site.add_json(
            self.system_url,
            self._obj(
                "System",
                self.system_url,
                oparlVersion=OPARL,
                name=f"Ratsinformationssystem {self.name}",
                body=f"{self.api}/bodies",
            ),
        )
        site.add_list(f"{self.api}/bodies", [body])
        site.add_json(self.body_url, body)
        site.add_list(f"{self.body_url}/organizations", self.organizations())
        site.add_list(f"{self.body_url}/persons", [])
        site.add_list(f"{self.body_url}/meetings", self.meetings())
        site.add_list(f"{self.body_url}/papers", self.papers(), page_size=5)
        for number, j in ((5, 1), (5, 2)):
            site.add(f"{self.prefix}/files/{number}-{j}.pdf", Response(200, TINY_PDF, "application/pdf"))
        return self.system_url
