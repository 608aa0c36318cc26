"""Synthetic people and the way records get them wrong, with the truth kept, so linkage can
be measured.

Linkage is only as good as it is on records with the errors real records have, and its
precision and recall can only be measured where the truth is known. This module makes both:

- :func:`population` draws *true* people (an :class:`Identity`: names, date of birth,
  postcode, sex, borough) from a seed, with the cases that make linkage hard planted on
  purpose: twins (same surname, postcode and date of birth, different given names), the same
  name and date of birth in two boroughs (two people), and women whose surname changed on
  marriage (records before it carry the former one).
- :func:`recorded` writes one source's record of a person with the errors of
  :class:`ErrorRates` (typos, nicknames from :mod:`dsvb.reference.nicknames`, day and month
  transposed, a missing date of birth, the former surname, an earlier address, upper case).
- :func:`person_records` makes a set of records from several sources, several for some
  people, with the truth (record -> true person), for tests and benchmarks.

Everyone is invented: common first names and surnames combined by a seeded generator (no
surname is one found in the board's papers used as seeds). Postcodes have a real London
outward code for the borough but an inward code ending in two of C, I, K, M, O, V, letters no
real postcode's inward code uses, so no address here is a real one.

Pure Python, no Django, no numpy: a seed gives the same people and records on any machine
(``random.Random`` seeded with a string is stable across Python versions and runs).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import accumulate

from dsvb.linkage.records import EXTRACT, PersonRecord, RecordRef
from dsvb.reference.nicknames import nicknames

__all__ = [
    "AGENCY_SOURCES",
    "BOROUGH_DISTRICTS",
    "DEFAULT_RATES",
    "NOT_IN_INWARD",
    "ErrorRates",
    "Identity",
    "identity",
    "person_records",
    "population",
    "rank_weights",
    "recorded",
]

#: letters no real postcode's inward code ends in: a postcode using them is not a real one
NOT_IN_INWARD = "CIKMOV"

#: the day ages are counted to (the demo extract's year ends in November 2010)
REFERENCE_DAY = dt.date(2010, 11, 30)

#: partner agencies' sources used by default beside the extract
AGENCY_SOURCES = ("Lambeth IDVA service", "Lambeth Housing")

# London boroughs' real postcode districts (outward codes), by ONS code.
BOROUGH_DISTRICTS: dict[str, tuple[str, ...]] = {
    "E09000002": ("IG11", "RM8", "RM9", "RM10"),
    "E09000003": ("N2", "N3", "N11", "N12", "N20", "NW4", "NW7", "NW9", "EN5", "HA8"),
    "E09000004": ("DA5", "DA6", "DA7", "DA14", "DA15", "DA16", "DA17", "SE2"),
    "E09000005": ("NW2", "NW6", "NW10", "HA0", "HA9"),
    "E09000006": ("BR1", "BR2", "BR3", "BR4", "BR5", "BR6", "BR7", "SE20"),
    "E09000007": ("NW1", "NW3", "NW5", "WC1H"),
    "E09000008": ("CR0", "CR2", "CR7", "CR8", "SE25"),
    "E09000009": ("W3", "W5", "W7", "W13", "UB1", "UB2", "UB5", "UB6"),
    "E09000010": ("EN1", "EN2", "EN3", "N9", "N13", "N18", "N21"),
    "E09000011": ("SE3", "SE7", "SE9", "SE10", "SE18", "SE28"),
    "E09000012": ("E5", "E8", "E9", "N16"),
    "E09000013": ("W6", "W12", "W14", "SW6"),
    "E09000014": ("N4", "N8", "N15", "N17", "N22"),
    "E09000015": ("HA1", "HA2", "HA3", "HA5", "HA7"),
    "E09000016": ("RM1", "RM2", "RM3", "RM7", "RM11", "RM12", "RM13", "RM14"),
    "E09000017": ("UB3", "UB4", "UB7", "UB8", "UB10", "HA4"),
    "E09000018": ("TW3", "TW4", "TW5", "TW7", "TW8", "TW13", "W4"),
    "E09000019": ("N1", "N5", "N7", "N19", "EC1V"),
    "E09000020": ("W8", "W10", "W11", "SW3", "SW5", "SW10"),
    "E09000021": ("KT1", "KT2", "KT3", "KT5", "KT6", "KT9"),
    "E09000022": ("SE11", "SE27", "SW2", "SW4", "SW8", "SW9"),
    "E09000023": ("SE4", "SE6", "SE8", "SE12", "SE13", "SE14", "SE23", "SE26"),
    "E09000024": ("SW19", "SW20", "CR4", "SM4"),
    "E09000025": ("E6", "E7", "E12", "E13", "E15", "E16"),
    "E09000026": ("IG1", "IG2", "IG3", "IG4", "IG5", "IG6", "E18"),
    "E09000027": ("TW1", "TW2", "TW9", "TW10", "TW11", "TW12", "SW13", "SW14"),
    "E09000028": ("SE1", "SE5", "SE15", "SE16", "SE17", "SE21", "SE22"),
    "E09000029": ("SM1", "SM2", "SM3", "SM5", "SM6"),
    "E09000030": ("E1", "E2", "E3", "E14"),
    "E09000031": ("E4", "E10", "E11", "E17"),
    "E09000032": ("SW11", "SW12", "SW15", "SW17", "SW18"),
    "E09000033": ("W1", "W2", "W9", "SW1", "NW8"),
}
_BOROUGHS = tuple(BOROUGH_DISTRICTS)

# Common given names (women's and men's, most common first) and surnames; many have
# nicknames in reference/data/nicknames.csv so the nickname errors happen.
WOMEN = (
    "Sarah", "Emma", "Laura", "Rebecca", "Jessica", "Samantha", "Elizabeth", "Katherine",
    "Hannah", "Charlotte", "Amy", "Nicola", "Victoria", "Emily", "Lauren", "Sophie",
    "Jennifer", "Rachel", "Gemma", "Stephanie", "Natalie", "Danielle", "Kelly", "Michelle",
    "Lucy", "Catherine", "Louise", "Chloe", "Jade", "Leanne", "Stacey", "Amanda", "Joanne",
    "Margaret", "Susan", "Deborah", "Patricia", "Christine", "Caroline", "Melissa", "Abigail",
    "Alexandra", "Jacqueline", "Eleanor", "Olivia", "Natasha", "Zoe", "Megan", "Aisha",
    "Fatima", "Priya", "Nadia", "Ayesha", "Sana", "Amira", "Grace", "Holly", "Ella",
    "Kimberley", "Theresa", "Josephine", "Frances", "Melanie", "Penelope", "Shanice",
    "Chantelle", "Agnieszka", "Joanna", "Ana", "Maria", "Adaeze", "Abena", "Yasmin", "Ruth",
)  # fmt: skip
MEN = (
    "David", "James", "Daniel", "Michael", "Christopher", "Thomas", "Matthew", "Robert",
    "Andrew", "Richard", "William", "Joseph", "John", "Mark", "Paul", "Lee", "Anthony",
    "Jonathan", "Nicholas", "Benjamin", "Samuel", "Stephen", "Steven", "Peter", "Ryan",
    "Adam", "Jamie", "Craig", "Darren", "Jason", "Wayne", "Dean", "Gary", "Kevin", "Scott",
    "Liam", "Connor", "Jordan", "Kieran", "Luke", "Nathan", "Joshua", "Oliver", "Callum",
    "Edward", "Charles", "Alexander", "Timothy", "Patrick", "Kenneth", "Raymond", "Ronald",
    "Gregory", "Frederick", "Philip", "Mohammed", "Ahmed", "Imran", "Tariq", "Omar",
    "Hassan", "Kwame", "Jamal", "Marcus", "Tyrone", "Carl", "Simon", "Stuart", "Shane",
    "Sean", "Aaron", "Tomasz", "Piotr", "Joao", "Emeka", "Kofi",
)  # fmt: skip
SURNAMES = (
    "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "Edwards", "Hughes", "Green",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Cooper", "Ward",
    "Moore", "Clark", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips",
    "Watson", "Davis", "Parker", "Price", "Bennett", "Griffiths", "Mitchell", "Cook",
    "Carter", "Richardson", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
    "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum",
    "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Hunt",
    "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Knight", "Lloyd", "Butler", "Russell",
    "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Pearson", "Ahmed",
    "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Reynolds",
    "Saunders", "Fox", "Ford", "Pearce", "Brooks", "Lawrence", "Cole", "Atkinson",
    "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "Watts", "Rose", "Booth",
    "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes", "Hart",
    "Hudson", "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page",
    "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland",
    "Hawkins", "Harding", "Newton", "Oliver", "Kennedy", "Williamson", "Bird", "Gardner",
    "Shah", "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop",
    "Walton", "Burns", "Shepherd", "Ross", "Long", "Freeman", "Warren", "Nicholls",
    "Hamilton", "Byrne", "Yates", "Hodgson", "Robson", "Curtis", "Hopkins", "O'Connor",
    "Harper", "Coleman", "Watkins", "Moss", "McCarthy", "Chambers", "Griffin", "Sharp",
    "Hardy", "Wheeler", "Potter", "Osborne", "Johnston", "Gordon", "Doyle", "Wallace",
    "Jordan", "Hutchinson", "Rowe", "Burke", "Pritchard", "Gilbert", "Willis", "Higgins",
    "Miah", "Akhtar", "Okafor", "Mensah", "Adeyemi", "Osei", "Boateng", "Nowak",
    "Kowalski", "Silva", "Santos", "Costa", "Ferreira", "Rahman", "Islam", "Uddin",
    "Chowdhury", "Sharma", "Kumar", "Mistry", "Evans-Jones", "Ellis-Grant",
)  # fmt: skip


def rank_weights(n: int) -> list[float]:
    """Weights of the names of a list of ``n``, most common first: falling with rank, so a
    few names are common and most are rare (for drawing names elsewhere alike)."""
    return [1.0 / (rank + 8) for rank in range(n)]


def _zipf(n: int) -> list[float]:
    return list(accumulate(rank_weights(n)))


_W_WOMEN, _W_MEN, _W_SURNAMES = _zipf(len(WOMEN)), _zipf(len(MEN)), _zipf(len(SURNAMES))


@dataclass(frozen=True)
class Identity:
    """A true person. ``former_family_name`` is the surname before marriage, if it changed;
    ``previous_postcode``/``previous_area_code`` an earlier home, if they moved; ``hard_case``
    names a planted difficulty (``twin``, ``namesake``, ``married``) or is empty."""

    person_id: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    postcode: str
    sex: str  # female or male
    area_code: str
    former_family_name: str | None = None
    previous_postcode: str | None = None
    previous_area_code: str | None = None
    hard_case: str = ""


@dataclass(frozen=True)
class ErrorRates:
    """The chance of each error in one record (each drawn on its own). The defaults are of
    the size data-quality studies of police and agency records report: a nickname in about
    one in ten given names that have one, a typo in a few per cent of names, a date of birth
    missing in about one in ten and transposed or mistyped in a few per cent, a postcode
    missing often and out of date for people who moved."""

    given_nickname: float = 0.10  # of records whose true given name has a nickname
    given_typo: float = 0.03
    given_missing: float = 0.01
    family_typo: float = 0.03
    family_missing: float = 0.01
    family_former: float = 0.5  # of records of a married person: the former surname
    other_names_former: float = 0.2  # of records of a married person: the former in other_names
    dob_missing: float = 0.08
    dob_transposed: float = 0.02  # day and month swapped (where both can be months)
    dob_typo: float = 0.02  # a digit of the day or the year wrong
    postcode_missing: float = 0.15
    postcode_previous: float = 0.3  # of records of someone who moved: the earlier home
    postcode_typo: float = 0.02
    postcode_unspaced: float = 0.05  # written without the space or in lower case
    sex_missing: float = 0.02
    upper_case: float = 0.05  # the whole name written in capitals


DEFAULT_RATES = ErrorRates()

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _postcode(rng: random.Random, area_code: str) -> str:
    district = rng.choice(BOROUGH_DISTRICTS[area_code])
    tail = rng.choice(NOT_IN_INWARD) + rng.choice(NOT_IN_INWARD)
    return f"{district} {rng.randrange(10)}{tail}"


def _date_of_birth(rng: random.Random) -> dt.date:
    # ages 16 to about 85, most in their twenties and thirties
    age = min(16 + rng.gammavariate(2.2, 8.0), 85.0)
    return REFERENCE_DAY - dt.timedelta(days=int(age * 365.25))


def _new(rng: random.Random, number: int, area_code: str | None = None) -> Identity:
    female = rng.random() < 0.7  # victims and suspects of both sexes; mostly women
    given = rng.choices(WOMEN if female else MEN, cum_weights=_W_WOMEN if female else _W_MEN)[0]
    family = rng.choices(SURNAMES, cum_weights=_W_SURNAMES)[0]
    area = area_code or rng.choice(_BOROUGHS)
    previous_postcode = previous_area = None
    if rng.random() < 0.25:  # moved home, sometimes across boroughs
        previous_area = area if rng.random() < 0.6 else rng.choice(_BOROUGHS)
        previous_postcode = _postcode(rng, previous_area)
    return Identity(
        person_id=f"T{number:08d}",
        given_name=given,
        family_name=family,
        date_of_birth=_date_of_birth(rng),
        postcode=_postcode(rng, area),
        sex="female" if female else "male",
        area_code=area,
        previous_postcode=previous_postcode,
        previous_area_code=previous_area,
    )


def identity(
    rng: random.Random,
    person_id: str,
    *,
    sex: str | None,
    area_code: str,
    born_in: int | None = None,
    previous_area_code: str | None = None,
) -> Identity:
    """One true person with what is already known of them (for the demo extract, whose
    people have a sex, a birth year and a borough drawn before their names): a given name
    for ``sex`` (female or male; any other, a name of either), a date of birth in
    ``born_in`` (else drawn), a postcode in ``area_code`` and, when given, an earlier one in
    ``previous_area_code``."""
    female = rng.random() < 0.7 if sex not in ("female", "male") else sex == "female"
    names, weights = (WOMEN, _W_WOMEN) if female else (MEN, _W_MEN)
    if born_in is None:
        born = _date_of_birth(rng)
    else:
        born = dt.date(born_in, 1, 1) + dt.timedelta(days=rng.randrange(365))
    return Identity(
        person_id=person_id,
        given_name=rng.choices(names, cum_weights=weights)[0],
        family_name=rng.choices(SURNAMES, cum_weights=_W_SURNAMES)[0],
        date_of_birth=born,
        postcode=_postcode(rng, area_code),
        sex="female" if female else "male",
        area_code=area_code,
        previous_postcode=_postcode(rng, previous_area_code) if previous_area_code else None,
        previous_area_code=previous_area_code,
    )


def population(
    n_people: int, *, seed: int, twins: float = 0.01, namesakes: float = 0.005,
    married: float = 0.04,
) -> list[Identity]:  # fmt: skip
    """``n_people`` true people, the same for a seed. About ``twins`` of them are one of a
    pair of twins (same surname, date of birth and postcode, another given name, the same
    sex or not), ``namesakes`` share given name, surname and date of birth with someone in
    another borough, and ``married`` are women whose surname changed (records made before
    carry ``former_family_name``)."""
    if n_people < 0:
        raise ValueError(f"n_people must be 0 or more, not {n_people}")
    rng = random.Random(f"dsvb-identities:{seed}")
    people: list[Identity] = []
    while len(people) < n_people:
        number = len(people) + 1
        person = _new(rng, number)
        draw = rng.random()
        room = n_people - len(people) >= 2
        if room and draw < twins / 2:
            person = replace(person, hard_case="twin")
            other = _new(rng, number + 1)
            names = WOMEN if other.sex == "female" else MEN
            weights = _W_WOMEN if other.sex == "female" else _W_MEN
            given = person.given_name
            while given == person.given_name:
                given = rng.choices(names, cum_weights=weights)[0]
            people += [person, replace(person, person_id=other.person_id, given_name=given,
                                       sex=other.sex)]  # fmt: skip
            continue
        if room and draw < twins / 2 + namesakes / 2:
            person = replace(person, hard_case="namesake")
            elsewhere = rng.choice([b for b in _BOROUGHS if b != person.area_code])
            other = _new(rng, number + 1, elsewhere)
            people += [person, replace(other, given_name=person.given_name, sex=person.sex,
                                       family_name=person.family_name,
                                       date_of_birth=person.date_of_birth,
                                       hard_case="namesake")]  # fmt: skip
            continue
        if person.sex == "female" and draw < twins / 2 + namesakes / 2 + married / 0.7:
            former = person.family_name
            while former == person.family_name:
                former = rng.choices(SURNAMES, cum_weights=_W_SURNAMES)[0]
            person = replace(person, former_family_name=former, hard_case="married")
        people.append(person)
    return people


def _typo(rng: random.Random, word: str) -> str:
    """One keying error away from ``word``: a letter changed, dropped, doubled or two
    neighbours swapped; never the first letter (people rarely get that wrong)."""
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        letter = rng.choice(_LETTERS.replace(word[i].lower(), ""))
        return word[:i] + letter + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _digit_typo(rng: random.Random, day: dt.date) -> dt.date:
    """A date with one digit of the day or of the year's last digit wrong, still a date."""
    for _ in range(10):
        try:
            if rng.random() < 0.5:
                changed = day.replace(day=(day.day // 10) * 10 + rng.randrange(10))
            else:
                changed = day.replace(year=(day.year // 10) * 10 + rng.randrange(10))
        except ValueError:
            continue
        if changed != day:
            return changed
    return day


def _postcode_typo(rng: random.Random, postcode: str) -> str:
    outward, inward = postcode.split()
    return f"{outward} {rng.choice([d for d in '0123456789' if d != inward[0]])}{inward[1:]}"


def _given_name(rng: random.Random, rates: ErrorRates, true_given: str) -> str | None:
    if rng.random() < rates.given_missing:
        return None
    given = true_given
    nicks = nicknames().of(given)
    if nicks and rng.random() < rates.given_nickname:
        given = rng.choice(nicks).title()
    if rng.random() < rates.given_typo:
        given = _typo(rng, given)
    return given


def recorded(
    identity: Identity,
    rng: random.Random,
    *,
    source: str,
    record_id: str,
    rates: ErrorRates = DEFAULT_RATES,
) -> PersonRecord:
    """One source's record of ``identity``, with errors drawn from ``rng`` at ``rates``.
    The record's area is the borough of the postcode it gives (the earlier home's when it
    gives that), else the person's."""
    r = rng.random
    given = _given_name(rng, rates, identity.given_name)
    family: str | None = identity.family_name
    other_names = None
    if identity.former_family_name:
        if r() < rates.family_former:
            family = identity.former_family_name
        elif r() < rates.other_names_former:
            other_names = identity.former_family_name
    if r() < rates.family_typo:
        family = _typo(rng, family)
    if r() < rates.family_missing:
        family = None
    if r() < rates.upper_case:
        given, family = (given or "").upper() or None, (family or "").upper() or None

    dob: dt.date | None = identity.date_of_birth
    if r() < rates.dob_missing:
        dob = None
    else:
        if dob.day <= 12 and dob.day != dob.month and r() < rates.dob_transposed:
            dob = dob.replace(day=dob.month, month=dob.day)
        if r() < rates.dob_typo:
            dob = _digit_typo(rng, dob)

    postcode: str | None = identity.postcode
    area = identity.area_code
    if identity.previous_postcode and r() < rates.postcode_previous:
        postcode, area = identity.previous_postcode, identity.previous_area_code or area
    if r() < rates.postcode_missing:
        postcode = None
    else:
        if r() < rates.postcode_typo:
            postcode = _postcode_typo(rng, postcode)
        if r() < rates.postcode_unspaced:
            postcode = postcode.replace(" ", "") if r() < 0.5 else postcode.lower()
    sex = None if r() < rates.sex_missing else identity.sex
    return PersonRecord(
        source=source,
        record_id=record_id,
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        postcode=postcode,
        sex=sex,
        other_names=other_names,
        area_code=area,
    )


def person_records(
    n_records: int,
    *,
    seed: int,
    sources: Sequence[str] = (EXTRACT, *AGENCY_SOURCES),
    records_per_person: float = 1.6,
    rates: ErrorRates = DEFAULT_RATES,
) -> tuple[list[PersonRecord], dict[RecordRef, str]]:
    """``n_records`` records of a population (of about ``n_records / records_per_person``
    people) from ``sources``, and the truth: each record's true person id. Every person has
    at least one record; the rest go to people at random, more to some (as repeat victims
    are). The first source (the extract, by default) holds about 60% of the records when
    there are others; extract record ids look like the extract's person ids (``P`` and nine
    digits), others are numbers. The same arguments give the same records."""
    if not sources:
        raise ValueError("person_records needs at least one source")
    if records_per_person < 1:
        raise ValueError(f"records_per_person must be at least 1, not {records_per_person}")
    n_people = min(n_records, max(1, round(n_records / records_per_person))) if n_records else 0
    people = population(n_people, seed=seed)
    rng = random.Random(f"dsvb-records:{seed}")
    owners = list(range(n_people))
    rng.shuffle(owners)
    # the rest: some people far more often than others (a quarter of people get most repeats)
    heavy = max(1, n_people // 4) if n_people else 0
    for _ in range(n_records - n_people):
        owners.append(rng.randrange(heavy) if rng.random() < 0.6 else rng.randrange(n_people))
    rng.shuffle(owners)
    if len(sources) == 1:
        cum = [1.0]
    else:
        rest = 0.4 / (len(sources) - 1)
        cum = list(accumulate([0.6] + [rest] * (len(sources) - 1)))
    counters = dict.fromkeys(sources, 0)
    records: list[PersonRecord] = []
    truth: dict[RecordRef, str] = {}
    for owner in owners:
        source = rng.choices(sources, cum_weights=cum)[0]
        counters[source] += 1
        n = counters[source]
        record_id = f"P{n:09d}" if source == EXTRACT else str(n)
        record = recorded(people[owner], rng, source=source, record_id=record_id, rates=rates)
        records.append(record)
        truth[record.ref] = people[owner].person_id
    return records, truth
