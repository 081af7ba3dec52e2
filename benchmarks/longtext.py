"""Long plain texts for the long-document benchmark, written from this module's own sentences.

A text is paragraphs of three to six sentences, separated by blank lines, each sentence a
template filled with place names, people, numbers and dates chosen with a fixed seed, so
that the same size gives the same text on every run.
"""

from __future__ import annotations

import random

__all__ = ["long_text", "capitalised_words", "unbroken_line", "nested_html"]

PLACES = (
    "Kyiv", "Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Mykolaiv", "Kherson", "Lviv", "Poltava",
    "Sumy", "Chernihiv", "Kramatorsk", "Sloviansk", "Bakhmut", "Pokrovsk", "Izium", "Kupiansk",
    "Mariupol", "Berdiansk", "Melitopol", "Nikopol", "Kryvyi Rih", "Uman", "Vinnytsia", "Zhytomyr",
    "Warsaw", "Krakow", "Berlin", "Paris", "Madrid", "Lisbon", "Rome", "Vienna", "Prague", "Budapest",
    "Bucharest", "Chisinau", "Sofia", "Athens", "Istanbul", "Ankara", "Tbilisi", "Yerevan", "Baku",
    "Cairo", "Nairobi", "Lagos", "Accra", "Dakar", "Khartoum", "Addis Ababa", "Mogadishu", "Tripoli",
    "Damascus", "Aleppo", "Idlib", "Beirut", "Amman", "Baghdad", "Mosul", "Basra", "Tehran", "Kabul",
    "Karachi", "Lahore", "Delhi", "Mumbai", "Dhaka", "Yangon", "Bangkok", "Hanoi", "Manila", "Jakarta",
    "Tokyo", "Seoul", "Beijing", "Shanghai", "Sydney", "Toronto", "Chicago", "Houston", "Denver",
    "Mexico City", "Bogota", "Lima", "Santiago", "Buenos Aires", "Caracas", "Havana",
)
REGIONS = (
    "Kherson region", "Donetsk region", "Luhansk region", "Zaporizhzhia region", "Kharkiv region",
    "Crimea", "Donbas", "Bavaria", "Catalonia", "Sicily", "Anatolia", "Kurdistan", "Punjab",
    "Ontario", "Texas", "California", "Patagonia", "Siberia", "Kashmir", "Darfur",
)
COUNTRIES = (
    "Ukraine", "Poland", "Moldova", "Romania", "Turkey", "Georgia", "Syria", "Iraq", "Sudan",
    "Ethiopia", "Kenya", "Nigeria", "India", "Pakistan", "Japan", "Brazil", "Canada", "Mexico",
)
PEOPLE = (
    "Olena Bondar", "Mark Ellison", "Amira Haddad", "Tomasz Wrona", "Grace Mwangi", "Luis Ortega",
    "Hiro Tanaka", "Anna Kowalczyk", "Samuel Okafor", "Ingrid Dahl", "Farid Rahimi", "Chloe Martin",
)
OFFICES = ("the regional council", "the ministry", "the city hall", "a local charity", "the port authority",
           "the water company", "a hospital", "the railway operator", "the university", "a relief agency")
THINGS = ("power lines", "a bridge", "the grain terminal", "two schools", "the rail depot", "a water pipe",
          "the bus station", "a bakery", "the central market", "a clinic", "the ring road", "a warehouse")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

SENTENCES = (
    "Officials in {place} said {n} people had been moved to shelters overnight.",
    "The road between {place} and {place2} reopened on {day} {month} after repairs to {thing}.",
    "{person} of {office} told reporters that {thing} near {place} would take weeks to fix.",
    "Residents of the {region} reported shelling for the {nth} night in a row.",
    "A convoy carrying {n} tonnes of flour left {place} for {place2} early on {weekday}.",
    "{country} announced new funding for {office} in {place}, according to {person}.",
    "Heavy rain flooded {thing} on the outskirts of {place}, and {n} homes lost power.",
    "Trains from {place} to {place2} were delayed by about {n} minutes on {weekday}.",
    "The mayor of {place} met delegates from {country} to discuss rebuilding {thing}.",
    "In the {region}, farmers said the harvest was {n} per cent smaller than last year.",
    "{person}, who works for {office}, has lived in {place} since {year}.",
    "Prices at the central market in {place} rose again in {month}, traders said.",
    "Volunteers from {place2} drove {n} kilometres to deliver medicine to {place}.",
    "A spokesperson for {office} declined to comment on the talks held in {place}.",
    "Schools in {place} will stay closed until {day} {month}, the authorities said.",
    "Satellite images showed damage to {thing} north of {place}.",
    "Exports through {place} fell sharply after the closure of {thing}.",
    "{person} said the situation in {country} had changed little since {month}.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NTH = ("second", "third", "fourth", "fifth", "sixth")


def _sentence(rng: random.Random) -> str:
    template = rng.choice(SENTENCES)
    return template.format(
        place=rng.choice(PLACES), place2=rng.choice(PLACES), region=rng.choice(REGIONS),
        country=rng.choice(COUNTRIES), person=rng.choice(PEOPLE), office=rng.choice(OFFICES),
        thing=rng.choice(THINGS), month=rng.choice(MONTHS), day=rng.randint(1, 28),
        weekday=rng.choice(WEEKDAYS), nth=rng.choice(NTH), n=rng.randint(2, 900),
        year=rng.randint(1975, 2020),
    )


def long_text(chars: int, *, seed: int = 16) -> str:
    """A text of about ``chars`` characters (at most one paragraph more), in paragraphs.

    Examples
    --------
    >>> text = long_text(2_000)
    >>> 2_000 <= len(text) < 3_500 and "\\n\\n" in text
    True
    >>> long_text(2_000) == text
    True
    """
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < chars:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs) + "\n"


def capitalised_words(count: int = 100_000, *, seed: int = 16) -> str:
    """``count`` distinct capitalised made-up words, space-separated, on one line: one run of
    proper-noun-looking tokens that the extractor weighs word by word."""
    rng = random.Random(seed)
    syllables = ("ba", "ko", "ri", "tel", "mun", "sa", "vor", "dak", "li", "pe", "zu", "ran", "gos", "ti",
                 "ne", "mar", "ul", "bre", "chi", "fa")
    words: dict[str, None] = {}
    while len(words) < count:
        words["".join(rng.choice(syllables) for _ in range(rng.randint(2, 5))).capitalize()] = None
    return " ".join(words) + "\n"


def unbroken_line(chars: int = 1_000_000, *, seed: int = 16) -> str:
    """One line of ``chars`` letters and digits with no space or punctuation."""
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghijKLMNOPqrstuvwxyz0123456789") for _ in range(chars)) + "\n"


def nested_html(depth: int = 100_000) -> str:
    """An HTML page whose one paragraph sits ``depth`` elements deep."""
    return ("<!DOCTYPE html><html><head><title>Deep</title></head><body>" + "<div>" * depth
            + "<p>Shelling hit Kherson and Kyiv overnight, officials said.</p>" + "</div>" * depth + "</body></html>\n")
