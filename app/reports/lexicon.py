"""Word lists the rules share: number words, ordinals, qualifiers, units, needs, and the words
for taking a place."""

# Taking a place: "took Kohsan", "took the Yamgan district centre", "broke into the city", "the
# first provincial capital to fall to the Taliban" (both an event's words and its outcome).
TOOK_PLACE = (
    r"took(?=\s+(?:the\s+(?:(?-i:[A-Z][\w-]+)\s+){0,3}(?:district|city|town|provincial|capital|"
    r"border|base)\b|(?!(?:Afghan|American|British|German|Pakistani|Iranian|US)\b)"
    r"(?-i:[A-Z][a-z])))|broke\s+into|to\s+fall\s+to"
)

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "twenty-four": 24,
    "forty-eight": 48,
    "seventy-two": 72,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "twentieth": 20,
}

# How a source qualifies a number, as the API's Qualifier names it.
QUALIFIERS = {
    "about": "about",
    "around": "about",
    "approximately": "about",
    "roughly": "about",
    "nearer": "about",
    "some": "about",
    "an estimated": "about",
    "estimated": "about",
    "nearly": "at_most",
    "almost": "at_most",
    "close to": "at_most",
    "up to": "at_most",
    "as many as": "at_most",
    "fewer than": "at_most",
    "less than": "at_most",
    "under": "at_most",
    "at most": "at_most",
    "no more than": "at_most",
    "more than": "more_than",
    "over": "more_than",
    "above": "more_than",
    "upwards of": "more_than",
    "in excess of": "more_than",
    "at least": "at_least",
    "no fewer than": "at_least",
    "no less than": "at_least",
    "a minimum of": "at_least",
    "only": "exact",
    "just": "exact",
    "a total of": "exact",
}

# "thousands of people": more than the number the word names, which is in the text.
VAGUE_AMOUNTS = {
    "tens of thousands": 10_000,
    "hundreds of thousands": 100_000,
    "millions": 1_000_000,
    "thousands": 1000,
    "hundreds": 100,
    "dozens": 12,
    "scores": 20,
}

HOUSEHOLD_UNITS = frozenset({"families", "family", "households", "household"})
# Who is displaced when they are said to have reached or arrived somewhere
CIVILIANS = frozenset(
    "families family households household people persons individuals civilians residents "
    "villagers children women afghans".split()
)
# Who fights: never counted as displaced
COMBATANTS = frozenset(
    "fighters fighter militants militant insurgents insurgent soldiers soldier troops policemen "
    "policeman attackers gunmen commandos taliban rebels militiamen servicemen recruits guards "
    "personnel".split()
)
# One person, counted by "a" or "an" ("killing a tribal elder")
SINGLE_PERSONS = frozenset(
    "civilian child woman man boy girl soldier policeman policewoman officer guard elder "
    "official driver cleric judge journalist reporter student doctor teacher worker commander "
    "resident villager farmer fighter militant insurgent commando employee pilot interpreter "
    "activist prosecutor shopkeeper passenger member".split()
)

PERSON_UNITS = frozenset(
    {
        "people",
        "persons",
        "person",
        "civilians",
        "civilian",
        "residents",
        "villagers",
        "individuals",
        "children",
        "child",
        "women",
        "men",
        "man",
        "woman",
        "boys",
        "girls",
        "passengers",
        "deminers",
        "workers",
        "fighters",
        "militants",
        "insurgents",
        "rebels",
        "soldiers",
        "soldier",
        "troops",
        "policemen",
        "policeman",
        "police",
        "officers",
        "officer",
        "guards",
        "commandos",
        "personnel",
        "members",
        "others",
        "worshippers",
        "students",
        "pilgrims",
        "attackers",
        "gunmen",
        "staff",
        "employees",
        "recruits",
        "farmers",
        "labourers",
        "laborers",
        "militiamen",
        "taliban",
        "servicemen",
        "journalists",
        "doctors",
        "teachers",
        "afghans",
        "casualties",
        "elders",
        "officials",
        "drivers",
        "clerics",
        "judges",
        "pilots",
        "interpreters",
        "activists",
        "commanders",
        "reporters",
        "shopkeepers",
    }
    | SINGLE_PERSONS
)

NEEDS = (
    "urgent assistance",
    "humanitarian assistance",
    "humanitarian aid",
    "emergency assistance",
    "medical care",
    "health care",
    "clean water",
    "drinking water",
    "shelter",
    "food",
    "water",
    "medicine",
    "medicines",
    "blankets",
    "tents",
    "clothes",
    "clothing",
    "fuel",
    "cash",
    "sanitation",
    "hygiene kits",
    "winter supplies",
)
