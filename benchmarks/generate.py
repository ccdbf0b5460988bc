"""Generate large, realistic iqtl ledgers (and the same events as an hledger journal) for benchmarks.

Usage:

    python benchmarks/generate.py N OUTDIR [--variant K] [--seed S] [--no-journal]

writes

    OUTDIR/events-N.toml        an iqtl ledger (schema 1) of N events
    OUTDIR/events-N.journal     the same N events as an hledger journal

and with ``--variant K`` (K >= 1) ``OUTDIR/events-N-vK.toml`` (and ``.journal``) instead: the same
ledger with about 1% of its records edited, for benchmarking ``iqtl diff``.

Everything is deterministic: the same N, seed and variant give byte-identical files on any machine
(the only randomness is ``random.Random(seed)``; no clock, no set iteration order, no hash order).

The ledger
----------
* ``max(20, N // 50)`` sources (articles, blog posts, reports ...), each with a day- or month-precise date.
* ``max(50, N // 20)`` actors (people, groups, states, institutions) with 1-3 aliases each; every id,
  name and alias is unique ignoring case, so ``iqtl check`` finds no ambiguous names.
* N events over 1980-2014, written in date order, each with a title, a 40-80 word summary (one in 20
  has two paragraphs), 1-2 sources, 1-4 actors (a few actors are far more frequent than the rest),
  places, tags, sometimes a ``date_note`` and ``related`` events.  Dates mix every form the ledger
  uses: exact ``2007-08-29``, month ``2007-08``, year ``2007``, approximate ``2007-08~``, uncertain
  ``2007?``, approximate and uncertain ``2007-08%``, season ``2007-22`` and intervals
  (``2003-03-20/2011-12-18``, ``2007-01/2008``, ``1982/1988``, open ``2010/..`` and ``../1991``).
* N // 2 claims, each a 20-50 word quote (or paraphrase, or assessment) by an actor, from a source,
  about 1-2 events; about a quarter support and a tenth dispute an earlier claim.  Claims carry a
  date of their own only when it is not later than their source's, so ``iqtl check`` is clean.

Text is drawn from a fixed vocabulary with curly quotes, dashes, accented names and the odd straight
double quote (escaped in TOML), so that parsing meets what real ledgers hold.

The variant (``--variant K``)
-----------------------------
Starting from the base ledger of the same N and seed, with its own random stream per K:
0.6% of events get a new date or an edited summary, 0.2% are removed (only events nothing refers
to), 0.2% are added at the end, one event (two from 5,000 events up) is renamed with every
reference to it updated, 0.5% of claims get edited text, and one actor gains an alias.  The counts
are printed.  The variant passes ``iqtl check`` as the base does.

The journal
-----------
One transaction per event, in the ledger's order::

    2007-08-29 Event title
        ; the summary, wrapped on comment lines
        events:first-tag        1 EV
        sources:first-source

A partial date is padded to the first day of its period (``2007-08`` -> 2007-08-01, the season
``2007-22`` -> 2007-06-01); an interval uses its start, and an interval with an open start
(``../1991``) uses 1980-01-01, so that the journal has exactly N transactions, as the ledger has
N events.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import re
import sys
import time
from pathlib import Path

FIRST_YEAR, LAST_YEAR = 1980, 2014
OPEN_START_DAY = "1980-01-01"

# ---------------------------------------------------------------- vocabulary

WORDS = """
the the the the the of of of of and and and to to to in in in a a a that that for for on on with with
as as by by was was were is are had has have said says would could will after before during against
between within without over under about while because although since when where which who whose
government officials ministers parliament election elections coalition ceasefire agreement talks
negotiations withdrawal troops forces militia militias fighters commanders security border province
provinces capital city cities oil revenue sanctions embassy ambassador delegation envoy diplomats
administration president prime minister cleric clerics party parties bloc alliance rivals factions
supporters opponents insurgents insurgency violence attack attacks bombing bombings raid raids
offensive campaign operation operations weapons arms training camps supply lines intelligence
report reports documents sources analysts observers reporters investigators inspectors
negotiators mediators leaders leadership regime opposition movement movements network networks
influence pressure support funding money loans contracts reconstruction electricity water refugees
displaced civilians casualties killed wounded detained released arrested accused denied announced
promised warned threatened demanded rejected approved signed agreed refused postponed delayed
resumed ended began continued expanded reduced increased cut stopped blocked allowed offered
proposed claimed insisted acknowledged confirmed suggested estimated described called urged
regional local national international foreign domestic political military economic religious
sectarian tribal nationalist secular Shiite Sunni Kurdish Iranian Iraqi American British Syrian
Saudi Turkish Lebanese western southern northern eastern central senior former new powerful weak
rival armed unarmed secret public official unofficial rapid slow fragile lasting temporary
permanent partial full largely mostly widely deeply openly quietly briefly repeatedly eventually
reportedly apparently allegedly again also still even only just already soon later early late
months weeks days years decade period months-long year-long weeks-long long-running mid-level
high-level low-level cross-border well-armed US-backed Iranian-backed
""".split()

NAMES_FIRST = """
Ali Hassan Hussein Mohammed Ahmed Abbas Jaafar Hadi Hamid Karim Nouri Ayad Adel Ibrahim Qassem Hadi
Jalal Massoud Barham Tariq Rafi Saleh Osama Usama Haidar Khalid Mahmoud Mustafa Yusuf Abdul-Aziz
Ammar Bayan Hoshyar Akram Muwaffaq Falah Baqir Majid Sadiq Reza Hossein Mahmoud Akbar Javad Manouchehr
Saeed Hamid Mehdi Kamal Ali-Akbar John Robert William James Richard Thomas Michael David Condoleezza
Colin Donald Paul Ryan Christopher Zalmay Stephen Lawrence Jessica Frances Leila Zainab Maryam Layla
Nadia Huda Fatima Samira Rania Ann Susan Margaret Emily
""".split()

NAMES_LAST = """
al-Maliki al-Jaafari Allawi al-Hakim al-Sadr al-Sistani Talabani Barzani Salih al-Hashimi
al-Mutlaq al-Issawi al-Nujaifi al-Jubouri al-Obeidi al-Rubaie al-Amiri al-Muhandis al-Khazali
al-Zubaidi al-Bayati al-Dulaimi al-Karbouli al-Samarrai al-Rawi al-Ani al-Tikriti al-Shammari
al-Saadi al-Khafaji al-Musawi al-Husseini al-Daraji al-Lami Chalabi Zebari al-Adeeb al-Araji
Khamenei Rafsanjani Khatami Ahmadinejad Larijani Velayati Mottaki Kazemi-Qomi Soleimani Qomi
Jafari Rezaei Mousavi Karroubi Zarif Araghchi Salehi Vahidi Shamkhani Hejazi Naqdi
Bush Cheney Rumsfeld Wolfowitz Rice Powell Gates Petraeus Odierno Crocker Khalilzad Bremer Hadley
Feith Satterfield Negroponte Austin Jeffrey Hill Biden Clinton Kerry McChrystal Casey Abizaid
Sanchez Fallon Mullis Pollack Cordesman Katzman Nasr Parsi Takeyh Freeman White Cole Gordon
Ricks Filkins Packer Chandrasekaran Shadid Allam Sly Arango Rubin Jervis
""".split()

# Transliteration variants, so that some names and aliases are not ASCII.
ACCENTED = {"Nouri": "Nūrī", "Jaafar": "Ja‘far", "Abbas": "‘Abbās", "Hossein": "Ḥossein", "Qassem": "Qāsem",
            "Reza": "Rezā", "Mehdi": "Mahdī", "Saeed": "Sa‘īd"}

HONORIFICS = ("Sheikh", "Sayyid", "Ayatollah", "Gen.", "Col.", "Dr.", "Amb.", "Sen.", "Rep.", "Hojatoleslam")

STATES = """
Iran Iraq Syria Turkey Jordan Kuwait Saudi-Arabia Qatar Bahrain Oman Yemen Egypt Lebanon Israel
Afghanistan Pakistan Russia China France Germany United-Kingdom Italy Spain Japan India Azerbaijan
Armenia Turkmenistan United-Arab-Emirates Libya Sudan Algeria Morocco Tunisia Australia Canada
Poland Ukraine Georgia South-Korea Netherlands Denmark Norway Sweden Switzerland Austria Belgium
Brazil Venezuela Cuba North-Korea Kazakhstan Uzbekistan Tajikistan Kyrgyzstan
""".split()

GROUP_PREFIX = ("Islamic", "National", "Popular", "Revolutionary", "Democratic", "United", "Free", "Patriotic",
                "Independent", "Supreme", "Iraqi", "Arab", "Kurdish", "Shiite", "Sunni", "Turkmen", "Assyrian",
                "Progressive", "Liberation", "Martyrs'")
GROUP_CORE = ("Front", "Movement", "Brigades", "Council", "Alliance", "Party", "League", "Army", "Coalition",
              "Bloc", "Union", "Congress", "Assembly", "Battalions", "Committee", "Accord", "Forces", "List",
              "Resistance", "Current")
GROUP_OF = ("of Iraq", "of Basra", "of Anbar", "of Nineveh", "of Diyala", "of Kirkuk", "for Reform",
            "for Unity", "for Dialogue", "for Justice", "of the South", "of the North", "of Karbala", "of Najaf",
            "of Mosul", "of Fallujah", "of Ramadi", "of Samarra", "of Tikrit", "of Sadr City", "of Kufa",
            "of Hilla", "of Amara", "of Nasiriyah", "of Kut", "of Baqubah", "of Erbil", "of Sulaymaniyah",
            "of Dohuk", "of Halabja", "for Change", "for Law", "of the Two Rivers", "of the Euphrates",
            "of the Tigris", "for Salvation", "for Independence", "of Believers", "of the Faithful", "of Dawa")
INSTITUTION_HEAD = ("Ministry of", "Office of", "Department of", "Directorate of", "Committee on", "Institute for",
                    "Center for", "Commission on", "Bureau of", "Council on", "Agency for", "Foundation for",
                    "Authority for", "Fund for")
INSTITUTION_TOPIC = ("Oil", "Defense", "the Interior", "Foreign Affairs", "Finance", "Electricity", "Water Resources",
                     "Trade", "Planning", "Reconstruction", "Human Rights", "Displacement and Migration",
                     "Intelligence", "National Security", "Strategic Studies", "Middle East Policy",
                     "Energy Security", "Border Affairs", "Religious Endowments", "Elections", "Integrity",
                     "Refugees", "Health", "Education", "Communications", "Transport", "Industry", "Agriculture",
                     "Justice", "Public Works", "Housing", "Municipalities", "Labour", "Youth and Sports",
                     "Culture", "Tourism", "Antiquities", "Science and Technology", "Environment", "Customs")
INSTITUTION_WHERE = ("", " (Iraq)", " (Iran)", " (US)", " (UK)", " (KRG)", " (Syria)", " (Basra)", " (Anbar)",
                     " (Nineveh)", " (Najaf)", " (Kirkuk)", " (Diyala)", " (Karbala)", " (Erbil)", " (Tehran)",
                     " (Washington)", " (London)", " (Geneva)", " (Brussels)", " (Amman)", " (Damascus)",
                     " (Beirut)", " (Ankara)", " (Riyadh)", " (Doha)", " (Kuwait)", " (Cairo)", " (Moscow)",
                     " (Beijing)")

PLACES = """
Baghdad Basra Mosul Kirkuk Najaf Karbala Fallujah Ramadi Tikrit Samarra Baqubah Kut Amara Nasiriyah
Hilla Diwaniyah Kufa Erbil Sulaymaniyah Dohuk Halabja Tal-Afar Haditha Hit Qaim Rutba Tehran Qom
Mashhad Isfahan Tabriz Ahvaz Khorramshahr Abadan Shiraz Kermanshah Damascus Aleppo Raqqa Deir-ez-Zor
Beirut Amman Riyadh Kuwait-City Doha Manama Ankara Istanbul Washington New-York London Geneva Vienna
Brussels Paris Moscow Beijing Cairo Sadr-City Green-Zone Anbar Diyala Nineveh Salahuddin Maysan
Dhi-Qar Muthanna Wasit Babil Qadisiyah Iran–Iraq-border Persian-Gulf Shatt-al-Arab Strait-of-Hormuz
""".split()

TAGS = """
iran-influence us-policy militias elections oil sanctions diplomacy insurgency sectarian-violence
occupation withdrawal sofa reconstruction refugees kurds shiite-parties sunni-politics awakening
surge detainees nuclear-program quds-force irgc weapons-smuggling efp border security-forces
corruption de-baathification constitution federalism kirkuk basra baghdad mosul anbar najaf
karbala pilgrims clergy marjaiya sadrists badr isci dawa maliki allawi hakim talabani barzani
saudi-arabia syria turkey hezbollah al-qaeda isis aqi prisoners hostages contractors blackwater
embassy intelligence nie iaea un-security-council arab-league opec electricity water agriculture
trade banking bank-melli treasury pentagon congress media propaganda human-rights torture
iran-iraq-war gulf-war no-fly-zone inspections wmd invasion regime-change transition tal
cpa igc provincial-elections referendum census budget debt
""".split()

VERBS = ("meets", "accuses", "signs", "announces", "rejects", "visits", "condemns", "arrests", "funds",
         "withdraws from", "negotiates with", "warns", "backs", "opposes", "expels", "recognizes", "sanctions",
         "attacks", "defends", "courts", "welcomes", "denounces", "pressures", "trains", "arms", "hosts",
         "mediates between", "breaks with", "reconciles with", "endorses", "investigates", "detains", "frees")
OBJECTS = ("security agreement", "oil ministers", "border talks", "Shiite parties", "the cease-fire",
           "Sunni tribal leaders", "the election law", "militia commanders", "US envoys", "Iranian diplomats",
           "the provincial council", "Kurdish leaders", "a reconstruction plan", "arms shipments",
           "the status-of-forces agreement", "UN inspectors", "the new constitution", "rival clerics",
           "the Awakening councils", "Quds Force officers", "the Interior Ministry", "a pipeline deal",
           "the sanctions regime", "refugee returns", "the de-Baathification commission",
           "prisoner exchanges", "the Green Zone", "a trade delegation", "Basra port contracts",
           "the electricity grid", "the Mahdi Army", "border crossings", "electoral lists")
PUBLISHERS = ("The Nation", "Hot Air", "The Washington Post", "The New York Times", "Reuters", "Associated Press",
              "Al Jazeera English", "Foreign Policy", "Asia Times", "The Christian Science Monitor",
              "The Guardian", "The Independent", "McClatchy", "Los Angeles Times", "The Wall Street Journal",
              "Time", "Newsweek", "The Atlantic", "The New Yorker", "Middle East Report",
              "International Crisis Group", "Congressional Research Service", "Jamestown Foundation",
              "Brookings Institution", "American Enterprise Institute", "Informed Comment", "Juan Cole's blog",
              "Abu Muqawama", "Musings on Iraq", "The Long War Journal", "Tehran Times", "Azzaman",
              "Al-Sabah", "Kurdistan Regional Government", "BBC News", "NPR", "PBS Frontline", "Der Spiegel",
              "Le Monde diplomatique", "Mother Jones")
SOURCE_TYPES = ("article", "article", "article", "blog-post", "blog-post", "report", "book", "interview",
                "transcript", "press-release")
ROLES = ("commander of a Shiite militia", "Iraqi politician", "Iranian diplomat", "US official", "Sunni tribal sheikh",
         "Kurdish leader", "analyst", "journalist", "cleric", "member of parliament", "intelligence officer",
         "governor", "spokesman", "former minister", "ambassador", "military adviser", "party leader",
         "provincial council member", "negotiator", "human-rights researcher")

# Phrases a summary or quote quotes, to carry curly quotes, dashes and the odd straight quote.
QUOTED = ("“a vast presence, both overt and covert”", "“as promised”", "“a catch-all rubric”",
          "“the default position”", "“a loosely organized network”", "“a rogue element”",
          "‘a professional fighting force’", "“an Iranian political occupation”", "“harbor bitter feelings”",
          "\"a red line\"", "\"not negotiable\"", "“the Iraq of 2008”", "“a wily nationalist”",
          "“we are leaving Iraq”", "“a new chapter” — as one official put it —", "“the upstart cleric”",
          "“a marriage of convenience”", "“an open secret”", "‘mission accomplished’", "“a bridge too far”")

SEASON_START = {21: 3, 22: 6, 23: 9, 24: 12}


def slugify(text: str, words: int = 5) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return "-".join(slug.split("-")[:words]) or "x"


class Unique:
    """Hands out ids (or names) not handed out before: `base`, else `base-2`, `base-3` ..."""

    def __init__(self, sep: str = "-"):
        self.seen: set[str] = set()
        self.sep = sep

    def __call__(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.seen:
            n += 1
            candidate = f"{base}{self.sep}{n}"
        self.seen.add(candidate)
        return candidate


class Generator:
    def __init__(self, n: int, seed: int):
        self.n = n
        self.rng = random.Random(seed)
        year_weights = [4 if 2003 <= y <= 2011 else 2 if y >= 1990 else 1 for y in range(FIRST_YEAR, LAST_YEAR + 1)]
        self.years = list(range(FIRST_YEAR, LAST_YEAR + 1))
        self.year_cum = _cumulative(year_weights)
        self.event_ids = Unique()
        self.claim_ids = Unique()

    # ------------------------------------------------------------ text

    def words(self, k: int) -> list[str]:
        return self.rng.choices(WORDS, k=k)

    def text(self, k: int, names: list[str] | None = None) -> str:
        """About k words in sentences of 6-16 words, with the odd name, place or quoted phrase."""
        rng = self.rng
        out: list[str] = []
        left = k
        while left > 0:
            length = min(left, rng.randint(6, 16))
            sentence = rng.choices(WORDS, k=length)
            roll = rng.random()
            if names and roll < 0.5:
                sentence[rng.randrange(length)] = rng.choice(names)
            elif roll < 0.7:
                sentence[rng.randrange(length)] = rng.choice(PLACES).replace("-", " ")
            if rng.random() < 0.25:
                sentence.insert(rng.randrange(length), rng.choice(QUOTED))
            if length > 8 and rng.random() < 0.4:
                i = rng.randrange(3, length - 2)
                sentence[i] += ","
            first = sentence[0]
            sentence[0] = first[:1].upper() + first[1:]
            out.append(" ".join(sentence) + ".")
            left -= length
        return " ".join(out)

    # ------------------------------------------------------------ dates

    def year(self) -> int:
        return self.rng.choices(self.years, cum_weights=self.year_cum)[0]

    def date(self) -> tuple[str, str]:
        """(EDTF text, the hledger date of its start)."""
        rng = self.rng
        y, m = self.year(), rng.randint(1, 12)
        d = rng.randint(1, calendar.monthrange(y, m)[1])
        r = rng.random()
        if r < 0.34:
            return f"{y}-{m:02d}-{d:02d}", f"{y}-{m:02d}-{d:02d}"
        if r < 0.52:
            return f"{y}-{m:02d}", f"{y}-{m:02d}-01"
        if r < 0.60:
            return f"{y}", f"{y}-01-01"
        if r < 0.68:  # approximate
            return rng.choice(((f"{y}-{m:02d}~", f"{y}-{m:02d}-01"), (f"{y}~", f"{y}-01-01"),
                               (f"{y}-{m:02d}-{d:02d}~", f"{y}-{m:02d}-{d:02d}")))
        if r < 0.74:  # uncertain
            return rng.choice(((f"{y}?", f"{y}-01-01"), (f"{y}-{m:02d}?", f"{y}-{m:02d}-01"),
                               (f"{y}-{m:02d}-{d:02d}?", f"{y}-{m:02d}-{d:02d}")))
        if r < 0.77:  # approximate and uncertain
            return rng.choice(((f"{y}-{m:02d}%", f"{y}-{m:02d}-01"), (f"{y}%", f"{y}-01-01")))
        if r < 0.80:  # season
            s = rng.randint(21, 24)
            return f"{y}-{s}", f"{y}-{SEASON_START[s]:02d}-01"
        # intervals
        y2 = min(LAST_YEAR, y + rng.choice((0, 1, 1, 2, 3, 5, 8)))
        if r < 0.88:  # day/day
            m2 = rng.randint(m if y2 == y else 1, 12)
            d2 = rng.randint(d if (y2, m2) == (y, m) else 1, calendar.monthrange(y2, m2)[1])
            return f"{y}-{m:02d}-{d:02d}/{y2}-{m2:02d}-{d2:02d}", f"{y}-{m:02d}-{d:02d}"
        if r < 0.93:  # month/year (in the last year, month/month: EDTF wants the start before the end begins)
            return f"{y}-{m:02d}/{max(y2, y + 1) if y < LAST_YEAR else f'{y}-12'}", f"{y}-{m:02d}-01"
        if r < 0.97:  # year/year
            return f"{y}/{max(y2, y + 1) if y < LAST_YEAR else y}", f"{y}-01-01"
        if r < 0.99:  # open end
            return f"{y}/..", f"{y}-01-01"
        return f"../{y}", OPEN_START_DAY

    # ------------------------------------------------------------ records

    def sources(self) -> list[dict]:
        rng, ids = self.rng, Unique()
        out = []
        for _ in range(max(20, self.n // 50)):
            publisher = rng.choice(PUBLISHERS)
            y, m = self.year(), rng.randint(1, 12)
            d = rng.randint(1, calendar.monthrange(y, m)[1])
            date = rng.choice((f"{y}-{m:02d}-{d:02d}", f"{y}-{m:02d}-{d:02d}", f"{y}-{m:02d}", f"{y}-{m:02d}?"))
            title = " ".join(self.words(rng.randint(6, 12)))
            title = title[0].upper() + title[1:]
            rec = {"id": ids(f"{slugify(publisher, 2)}-{y}"), "title": title, "publisher": publisher, "date": date}
            if rng.random() < 0.6:
                rec["author"] = f"{rng.choice(NAMES_FIRST)} {rng.choice(NAMES_LAST)}"
            if rng.random() < 0.5:
                rec["url"] = f"https://www.{slugify(publisher, 3)}.example/{y}/{m:02d}/{slugify(title, 6)}"
            rec["type"] = rng.choice(SOURCE_TYPES)
            if rng.random() < 0.4:
                rec["note"] = self.text(rng.randint(20, 40))
            out.append(rec)
        return out

    def actors(self) -> list[dict]:
        rng = self.rng
        count = max(50, self.n // 20)
        taken: set[str] = set()  # casefolded ids, names and aliases of every actor so far
        ids = Unique()
        states = list(STATES)
        rng.shuffle(states)
        out = []

        def free(name: str) -> bool:
            return name.casefold() not in taken

        for i in range(count):
            r = rng.random()
            if r < 0.05 and states:
                kind, name = "state", states.pop().replace("-", " ")
                candidates = [f"{name}'s government", f"the {name} government", f"Republic of {name}",
                              f"the {name} regime"]
            elif r < 0.55:
                kind = "person"
                first, last = rng.choice(NAMES_FIRST), rng.choice(NAMES_LAST)
                name = f"{first} {last}"
                if first in ACCENTED and rng.random() < 0.3:
                    name = f"{ACCENTED[first]} {last}"
                core = last.removeprefix("al-")
                candidates = [f"{rng.choice(HONORIFICS)} {name}", f"{first[0]}. {last}",
                              f"Abu {rng.choice(NAMES_FIRST)}", f"{first} {core}", f"{rng.choice(HONORIFICS)} {last}",
                              f"{last} ({first})"]
            elif r < 0.80:
                kind = "group"
                prefix, core, of = rng.choice(GROUP_PREFIX), rng.choice(GROUP_CORE), rng.choice(GROUP_OF)
                name = f"{prefix} {core} {of}"
                acronym = "".join(w[0] for w in name.replace("'", "").split() if w[0].isupper())
                candidates = [acronym, f"{core} {of}", f"the {prefix} {core}", f"{acronym} ({of.split()[-1]})"]
            else:
                kind = "institution"
                name = f"{rng.choice(INSTITUTION_HEAD)} {rng.choice(INSTITUTION_TOPIC)}{rng.choice(INSTITUTION_WHERE)}"
                acronym = "".join(w[0] for w in re.sub(r"[()]", "", name).split() if w[0].isupper())
                candidates = [acronym, f"the {name.split(' (')[0].split(' ', 2)[-1]} office", name.upper()]
            while not free(name):  # a person's or group's name drawn twice: a second of that name
                name = f"{name} ({rng.choice(PLACES).replace('-', ' ')})"
            aid = ids(slugify(name, 4))
            taken.update((name.casefold(), aid))
            aliases = []
            want = rng.randint(1, 3)
            for alias in candidates:
                if len(aliases) == want:
                    break
                if free(alias) and alias != name:
                    aliases.append(alias)
                    taken.add(alias.casefold())
            while len(aliases) < want:  # every obvious alias taken by another actor: a made-up one
                alias = f"{name.split(' (')[0]} of {rng.choice(PLACES).replace('-', ' ')}"
                if free(alias):
                    aliases.append(alias)
                    taken.add(alias.casefold())
                else:
                    alias = f"{alias} #{i}"
                    if free(alias):
                        aliases.append(alias)
                        taken.add(alias.casefold())
            rec = {"id": aid, "name": name, "aliases": aliases, "kind": kind}
            if rng.random() < 0.6:
                rec["role"] = rng.choice(ROLES)
            if rng.random() < 0.2:
                rec["note"] = self.text(rng.randint(10, 25))
            out.append(rec)
        return out

    def event(self, sources: list[dict], actors: list[dict], actor_cum: list[float]) -> dict:
        rng = self.rng
        date, day = self.date()
        cast = list({a["id"]: a for a in rng.choices(actors, cum_weights=actor_cum, k=rng.randint(1, 4))}.values())
        names = [a["name"] for a in cast] + [alias for a in cast for alias in a["aliases"][:1]]
        title = f"{cast[0]['name']} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        if rng.random() < 0.5:
            title += f" in {rng.choice(PLACES).replace('-', ' ')}"
        summary = self.text(rng.randint(40, 80), names)
        if rng.random() < 0.05:
            cut = summary.find(". ", len(summary) // 2)
            if cut > 0:
                summary = summary[:cut + 1] + "\n\n" + summary[cut + 2:]
        year = re.search(r"\d{4}", date).group()
        rec = {
            "id": self.event_ids(f"{year}-{slugify(title, 4)}"),
            "date": date,
            "title": title,
            "summary": summary,
            "sources": [s["id"] for s in {s["id"]: s for s in rng.choices(sources, k=rng.choice((1, 1, 1, 2)))}
                        .values()],
            "actors": [a["id"] for a in cast],
            "places": list(dict.fromkeys(rng.choice(PLACES).replace("-", " ") for _ in range(rng.randint(1, 2)))),
            "tags": list(dict.fromkeys(rng.choices(TAGS, k=rng.randint(1, 4)))),
            "_day": day,  # the hledger date; not written to the ledger
        }
        if rng.random() < 0.25:
            rec["date_note"] = self.text(rng.randint(8, 20))
        return rec

    def events(self, sources: list[dict], actors: list[dict]) -> list[dict]:
        rng = self.rng
        actor_cum = _cumulative([1.0 / (i + 1) ** 0.8 for i in range(len(actors))])  # a few actors are frequent
        events = [self.event(sources, actors, actor_cum) for _ in range(self.n)]
        events.sort(key=lambda e: e["_day"])  # ids were drawn before sorting: stable, and still unique
        for i, ev in enumerate(events):
            if i and rng.random() < 0.3:
                lo = max(0, i - 200)
                related = {events[rng.randrange(lo, i)]["id"] for _ in range(rng.randint(1, 2))}
                ev["related"] = sorted(related)
        return events

    def claims(self, events: list[dict], sources: list[dict], actors: list[dict]) -> list[dict]:
        rng = self.rng
        source_date = {s["id"]: s["date"] for s in sources}
        by_id = {a["id"]: a for a in actors}
        picks = sorted(rng.randrange(len(events)) for _ in range(self.n // 2))
        out: list[dict] = []
        for k, at in enumerate(picks):
            ev = events[at]
            speaker = rng.choice(actors) if rng.random() < 0.3 else by_id[rng.choice(ev["actors"])]
            source = rng.choice(ev["sources"])
            about = [ev["id"]]
            if rng.random() < 0.2:
                other = events[min(len(events) - 1, at + rng.randint(1, 50))]["id"]
                if other != ev["id"]:
                    about.append(other)
            kind = rng.choices(("quote", "paraphrase", "assessment"), cum_weights=(0.6, 0.9, 1.0))[0]
            text = self.text(rng.randint(20, 50), [speaker["name"]])
            if kind == "quote" and rng.random() < 0.3:
                text = text.replace(". ", " … ", 1)
            word = slugify(text, 8).split("-")
            rec = {"id": self.claim_ids(f"c-{slugify(speaker['id'], 2)}-{'-'.join(word[3:5])}"),
                   "text": text, "speaker": speaker["id"], "source": source}
            if rng.random() < 0.2:  # its own date: the year or month of its source's, never later
                sdate = source_date[source].rstrip("?")
                rec["date"] = sdate[:4] if rng.random() < 0.5 else sdate[:7]
            rec["kind"] = kind
            rec["about"] = about
            if k and rng.random() < 0.25:
                rec["supports"] = [out[rng.randrange(max(0, k - 50), k)]["id"]]
            if k > 1 and rng.random() < 0.1:
                target = out[rng.randrange(max(0, k - 50), k)]["id"]
                if target not in rec.get("supports", ()):
                    rec["disputes"] = [target]
            if rng.random() < 0.15:
                rec["note"] = self.text(rng.randint(10, 30))
            out.append(rec)
        return out

    def ledger(self) -> dict[str, list[dict]]:
        sources = self.sources()
        actors = self.actors()
        events = self.events(sources, actors)
        claims = self.claims(events, sources, actors)
        return {"source": sources, "actor": actors, "event": events, "claim": claims}


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# ---------------------------------------------------------------- the 1% variant


def make_variant(ledger: dict[str, list[dict]], gen: Generator, k: int, seed: int) -> dict[str, int]:
    """Edit about 1% of the records in place; returns how many of each edit."""
    rng = random.Random(f"iqtl-benchmark-variant-{seed}-{k}")
    gen.rng = rng  # new events and text come from the variant's own stream
    events, claims, actors, sources = ledger["event"], ledger["claim"], ledger["actor"], ledger["source"]
    n = len(events)
    counts = {"events changed": 0, "events removed": 0, "events added": 0, "events renamed": 0,
              "claims changed": 0, "actors changed": 0}

    inbound: dict[str, int] = {}
    for ev in events:
        for rid in ev.get("related", ()):
            inbound[rid] = inbound.get(rid, 0) + 1
    for cl in claims:
        for rid in cl["about"]:
            inbound[rid] = inbound.get(rid, 0) + 1

    n_change, n_remove, n_rename = max(2, round(n * 0.006)), max(1, round(n * 0.002)), 1 if n < 5000 else 2
    positions = list(range(n))
    rng.shuffle(positions)
    change, rest = positions[:n_change], positions[n_change:]

    for i in change:
        ev = events[i]
        if rng.random() < 0.6:
            words = ev["summary"].split(" ")
            for _ in range(rng.randint(1, 3)):
                j = rng.randrange(len(words))
                words[j] = rng.choice(WORDS) + ("." if words[j].endswith(".") else "")
            ev["summary"] = " ".join(words) + " " + gen.text(rng.randint(8, 16))
        else:
            ev["date"], ev["_day"] = gen.date()
        counts["events changed"] += 1

    rename = [i for i in rest if inbound.get(events[i]["id"])][:n_rename]
    renamed: dict[str, str] = {}
    for i in rename:
        old = events[i]["id"]
        new = gen.event_ids(f"{old.rsplit('-', 1)[0]}-{slugify(rng.choice(OBJECTS), 1)}")
        renamed[old] = new
        events[i]["id"] = new
        counts["events renamed"] += 1
    if renamed:
        for ev in events:
            if "related" in ev:
                ev["related"] = [renamed.get(r, r) for r in ev["related"]]
        for cl in claims:
            cl["about"] = [renamed.get(r, r) for r in cl["about"]]

    unreferenced = [i for i in rest if not inbound.get(events[i]["id"]) and i not in rename]
    remove = {events[i]["id"] for i in unreferenced[:n_remove]}
    ledger["event"] = events = [ev for ev in events if ev["id"] not in remove]
    counts["events removed"] = len(remove)

    actor_cum = _cumulative([1.0] * len(actors))
    for _ in range(max(1, round(n * 0.002))):
        events.append(gen.event(sources, actors, actor_cum))  # appended, as `iqtl add` does
        counts["events added"] += 1

    for cl in rng.sample(claims, min(len(claims), max(1, round(len(claims) * 0.005)))):
        words = cl["text"].split(" ")
        j = rng.randrange(len(words))
        words[j] = rng.choice(WORDS)
        cl["text"] = " ".join(words)
        counts["claims changed"] += 1

    taken = {x.casefold() for a in actors for x in (a["id"], a["name"], *a["aliases"])}
    actor = rng.choice(actors)
    for place in PLACES:
        alias = f"{actor['name'].split(' (')[0]} in {place.replace('-', ' ')}"
        if alias.casefold() not in taken:
            actor["aliases"] = [*actor["aliases"], alias]
            counts["actors changed"] += 1
            break
    return counts


# ---------------------------------------------------------------- writers

ORDER = {
    "source": ("id", "title", "publisher", "date", "author", "url", "type", "note"),
    "actor": ("id", "name", "aliases", "kind", "role", "note"),
    "event": ("id", "date", "date_note", "title", "summary", "sources", "actors", "places", "tags", "related"),
    "claim": ("id", "text", "speaker", "source", "date", "date_note", "kind", "about", "supports", "disputes", "note"),
}

_quote = json.JSONEncoder(ensure_ascii=False).encode  # a JSON string is a valid TOML basic string here


def toml_value(value: str | list[str]) -> str:
    if isinstance(value, str):
        return _quote(value)
    return "[" + ", ".join(map(_quote, value)) + "]"


def write_toml(ledger: dict[str, list[dict]], path: Path, header: str) -> None:
    parts = [header, "schema = 1\n"]
    for kind in ("source", "actor", "event", "claim"):
        order = ORDER[kind]
        parts.append(f"\n# {'=' * 76}\n# {kind.upper()}S\n# {'=' * 76}\n")
        for rec in ledger[kind]:
            lines = [f"\n[[{kind}]]"]
            for key in order:
                if key in rec and rec[key] != []:
                    lines.append(f"{key} = {toml_value(rec[key])}")
            parts.append("\n".join(lines) + "\n")
    path.write_text("".join(parts), encoding="utf-8")


_LINE = re.compile(r"(.{1,100}|\S+)(?: +|$)")


def wrap(text: str) -> list[str]:
    """Lines of at most about 100 characters, broken at spaces; a paragraph break is kept as a break."""
    return [line for paragraph in text.split("\n") for line in _LINE.findall(paragraph) if line]


def write_journal(events: list[dict], path: Path, header: str) -> None:
    parts = ["".join(f"; {line}\n" for line in header.splitlines()), "\n"]
    for ev in events:
        comment = "".join(f"    ; {line}\n" for line in wrap(ev["summary"]))
        parts.append(f"{ev['_day']} {ev['title']}\n{comment}"
                     f"    events:{ev['tags'][0]}        1 EV\n    sources:{ev['sources'][0]}\n\n")
    path.write_text("".join(parts), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, metavar="N", help="number of events")
    parser.add_argument("outdir", type=Path, metavar="OUTDIR", help="where to write (created if missing)")
    parser.add_argument("--variant", type=int, default=0, metavar="K",
                        help="write events-N-vK.toml, the base ledger with ~1%% of records edited (K >= 1)")
    parser.add_argument("--seed", type=int, default=2007, help="random seed (default 2007)")
    parser.add_argument("--no-journal", action="store_true", help="write the iqtl ledger only")
    args = parser.parse_args(argv)
    if args.n < 1 or args.variant < 0:
        parser.error("N must be at least 1 and K at least 1")

    started = time.perf_counter()
    gen = Generator(args.n, args.seed)
    ledger = gen.ledger()
    stem = f"events-{args.n}"
    what = f"{args.n} events, seed {args.seed}"
    if args.variant:
        counts = make_variant(ledger, gen, args.variant, args.seed)
        stem += f"-v{args.variant}"
        what += f", variant {args.variant}: " + ", ".join(f"{v} {k}" for k, v in counts.items())
        print(f"variant {args.variant}: " + ", ".join(f"{v} {k}" for k, v in counts.items()), file=sys.stderr)
    header = f"Generated by benchmarks/generate.py ({what}). Not real data.\n"
    args.outdir.mkdir(parents=True, exist_ok=True)
    toml_path = args.outdir / f"{stem}.toml"
    write_toml(ledger, toml_path, "".join(f"# {line}\n" for line in header.splitlines()) + "\n")
    written = [toml_path]
    if not args.no_journal:
        journal_path = args.outdir / f"{stem}.journal"
        write_journal(ledger["event"], journal_path, header)
        written.append(journal_path)
    sizes = {k: len(v) for k, v in ledger.items()}
    print(f"wrote {', '.join(map(str, written))}: {sizes['event']} events, {sizes['claim']} claims, "
          f"{sizes['actor']} actors, {sizes['source']} sources in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
