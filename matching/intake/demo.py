"""Demo data of intake: an interest catalogue, a waiting list around Ghent, volunteers.

Idempotent: interests are found by key, people by their intake key ("demo-…").
"""

import datetime

from django.utils import timezone

from . import postcodes, services
from .applications import services as application_services
from .applications.models import Application
from .availability import to_mask
from .models import (
    ContactChannel,
    Interest,
    InterestCategory,
    Participant,
    ParticipantStatus,
    Postcode,
    Volunteer,
)
from .screening import services as screening_services
from .screening.models import ScreeningStep

CATALOGUE = [
    # (category nl, fr, en), [(key, nl, fr, en)]
    (("Buiten", "Dehors", "Outdoors"), [
        ("wandelen", "Wandelen", "Promenade", "Walking"),
        ("fietsen", "Fietsen", "Vélo", "Cycling"),
        ("tuinieren", "Tuinieren", "Jardinage", "Gardening"),
        ("voetbal", "Voetbal", "Football", "Football"),
    ]),
    (("Cultuur", "Culture", "Culture"), [
        ("muziek", "Muziek", "Musique", "Music"),
        ("film", "Film", "Cinéma", "Film"),
        ("museum", "Museum", "Musée", "Museum"),
        ("lezen", "Lezen", "Lecture", "Reading"),
    ]),
    (("Samen", "Ensemble", "Together"), [
        ("koken", "Koken", "Cuisine", "Cooking"),
        ("koffie", "Koffie drinken", "Prendre un café", "Having coffee"),
        ("taal", "Taal oefenen", "Pratiquer la langue", "Practising the language"),
        ("spelletjes", "Spelletjes", "Jeux de société", "Board games"),
    ]),
]

PARTICIPANTS = [
    # key, first, last, birth year, gender, postcode, languages, interests, days waiting,
    # status, slots
    ("p01", "Fatima", "El Idrissi", 1979, "female", "9000", ["nl", "ar", "fr"],
     ["koken", "wandelen"], 690, "waiting", [(0, 1), (2, 1)]),
    ("p02", "Marc", "Van den Bossche", 1961, "male", "9040", ["nl"], ["fietsen", "voetbal"],
     540, "waiting", [(1, 0), (3, 0)]),
    ("p03", "Ayşe", "Yılmaz", 1985, "female", "9050", ["tr", "nl"], ["koffie", "taal"], 420,
     "waiting", [(2, 0), (4, 0)]),
    ("p04", "Jean-Pierre", "Mukendi", 1970, "male", "9000", ["fr", "ln"], ["muziek", "film"],
     380, "waiting", [(5, 1), (6, 1)]),
    ("p05", "Greet", "De Clercq", 1948, "female", "9030", ["nl"], ["lezen", "koffie"], 350,
     "paused", [(1, 1)]),
    ("p06", "Youssef", "Benali", 1998, "male", "9032", ["ar", "nl"], ["voetbal", "fietsen"],
     300, "waiting", [(5, 0), (6, 0)]),
    ("p07", "Chantal", "Kabongo", 1982, "female", "9041", ["fr", "nl"], ["koken", "muziek"],
     280, "waiting", [(2, 2)]),
    ("p08", "Dirk", "Maes", 1967, "male", "9070", ["nl"], ["tuinieren"], 260, "waiting",
     [(0, 0), (3, 0)]),
    ("p09", "Nadia", "Amrani", 1990, "female", "9000", ["nl", "ar"], ["film", "wandelen"], 240,
     "waiting", [(4, 2)]),
    ("p10", "Mehmet", "Demir", 1958, "male", "9051", ["tr"], ["spelletjes", "koffie"], 220,
     "waiting", [(1, 1), (3, 1)]),
    ("p11", "Sarah", "Peeters", 2001, "female", "9052", ["nl", "en"], ["museum", "lezen"], 200,
     "waiting", [(5, 1)]),
    ("p12", "Rachid", "Ouali", 1975, "male", "9080", ["nl", "ber"], ["wandelen"], 180,
     "paused", [(2, 1)]),
    ("p13", "Linda", "Claeys", 1955, "female", "9810", ["nl"], ["tuinieren", "koffie"], 160,
     "waiting", [(0, 1), (1, 1)]),
    ("p14", "Patrick", "Lumbala", 1988, "male", "9820", ["fr", "nl"], ["voetbal", "muziek"],
     150, "waiting", [(6, 1)]),
    ("p15", "Hilde", "Verstraete", 1964, "female", "9830", ["nl"], ["museum"], 130, "waiting",
     [(3, 1)]),
    ("p16", "Emre", "Kaya", 1993, "male", "9840", ["tr", "nl", "en"], ["fietsen", "film"], 120,
     "waiting", [(4, 2), (5, 2)]),
    ("p17", "Khadija", "Bouzid", 1971, "female", "9850", ["ar", "fr"], ["koken"], 100,
     "waiting", [(1, 0)]),
    ("p18", "Johan", "Willems", 1952, "male", "9880", ["nl"], ["lezen", "spelletjes"], 90,
     "waiting", [(2, 1), (4, 1)]),
    ("p19", "Grace", "Tshibangu", 1996, "female", "9890", ["fr", "en"], ["muziek", "taal"], 75,
     "waiting", [(0, 2)]),
    ("p20", "Tom", "Goossens", 1983, "male", "9900", ["nl"], ["wandelen", "voetbal"], 60,
     "waiting", [(5, 0)]),
    ("p21", "Samira", "Haddouchi", 1987, "female", "9031", ["nl", "ar"], ["taal", "koffie"], 45,
     "waiting", [(2, 0), (2, 1)]),
    ("p22", "Ingrid", "Mertens", 1959, "female", "9040", ["nl"], ["tuinieren", "wandelen"], 30,
     "paused", [(3, 1)]),
    ("p23", "Mustafa", "Çelik", 1966, "male", "9000", ["tr", "nl"], ["spelletjes"], 20,
     "waiting", [(4, 1)]),
    ("p24", "Anke", "Van Damme", 1994, "female", "9050", ["nl", "en"], ["film", "museum"], 10,
     "waiting", [(6, 1)]),
    ("p25", "Bart", "De Wilde", 1972, "male", "9030", ["nl"], ["fietsen"], 400, "withdrawn",
     [(0, 0)]),
]

VOLUNTEERS = [
    # key, first, last, birth year, gender, postcode, languages, interests, ready, slots
    ("v01", "Pieter", "Claes", 1986, "male", "9000", ["nl", "en"], ["fietsen", "voetbal"],
     True, [(5, 0), (5, 1), (1, 0)]),
    ("v02", "Lotte", "Janssens", 1992, "female", "9050", ["nl", "fr"], ["koken", "wandelen"],
     True, [(0, 1), (2, 1), (4, 1)]),
    ("v03", "Karim", "Tahiri", 1980, "male", "9040", ["nl", "ar", "fr"], ["koffie", "taal"],
     True, [(2, 0), (2, 1)]),
    ("v04", "An", "Wouters", 1958, "female", "9030", ["nl"], ["lezen", "tuinieren"], True,
     [(0, 1), (1, 1), (3, 1)]),
    ("v05", "Elif", "Aydın", 1995, "female", "9000", ["tr", "nl", "en"], ["film", "koffie"],
     True, [(4, 2), (2, 0)]),
    ("v06", "Joris", "Vermeersch", 1975, "male", "9820", ["nl", "fr"], ["muziek", "museum"],
     True, [(5, 1), (6, 1)]),
    ("v07", "Marie", "Lambert", 1968, "female", "9000", ["fr", "nl"], ["museum", "lezen"],
     True, [(3, 1), (5, 1)]),
    ("v08", "Serge", "Kalonji", 1984, "male", "9041", ["fr", "ln", "nl"], ["muziek"], True,
     [(6, 1)]),
    ("v09", "Eva", "De Smet", 2000, "female", "9052", ["nl", "en"], ["spelletjes", "film"],
     True, [(4, 1), (4, 2)]),
    ("v10", "Luc", "Vandenberghe", 1955, "male", "9070", ["nl"], ["tuinieren", "wandelen"],
     True, [(0, 0), (3, 0)]),
    ("v11", "Hanne", "Dewulf", 1990, "female", "9810", ["nl"], ["koken"], True, [(1, 0)]),
    ("v12", "Omar", "Bakkali", 1989, "male", "9000", ["nl", "ar"], ["voetbal"], False,
     [(5, 0)]),
    ("v13", "Sofie", "Baert", 1997, "female", "9030", ["nl", "en"], ["muziek"], False,
     [(0, 2)]),
    ("v14", "Koen", "Hermans", 1963, "male", "9900", ["nl"], ["wandelen"], False, [(5, 0)]),
    ("v15", "Nathalie", "Mbuyi", 1979, "female", "9050", ["fr", "nl"], ["koken", "taal"],
     False, [(1, 0), (3, 0)]),
]

ANTWERP = [
    ("a01", "Ilse", "Jacobs", 1969, "female", "2060", ["nl"], ["wandelen"], 200, "waiting",
     [(2, 1)]),
    ("a02", "Hamza", "Azzouzi", 1999, "male", "2140", ["nl", "ar"], ["voetbal"], 90, "waiting",
     [(5, 0)]),
]
ANTWERP_VOLUNTEERS = [
    ("av01", "Wim", "Smets", 1977, "male", "2018", ["nl", "en"], ["wandelen"], True, [(2, 1)]),
]


def _catalogue(organisation):
    interests = {}
    for position, ((c_nl, c_fr, c_en), items) in enumerate(CATALOGUE):
        category = InterestCategory.objects.filter(organisation=organisation,
                                                   label_nl=c_nl).first()
        if category is None:
            category = services.interest_category_save(
                organisation=organisation, label_nl=c_nl, label_fr=c_fr, label_en=c_en,
                position=position)
        for key, nl, fr, en in items:
            interest = Interest.objects.filter(organisation=organisation, key=key).first()
            if interest is None:
                interest = services.interest_save(
                    organisation=organisation, category=category, key=key, label_nl=nl,
                    label_fr=fr, label_en=en)
            interests[key] = interest
    return interests


def _participants(organisation, interests, rows, coordinator):
    today = timezone.localdate()
    for index, (key, first, last, year, gender, postcode, languages, likes, days, status,
                slots) in enumerate(rows):
        intake_key = f"demo-{organisation.slug}-{key}"
        if Participant.objects.filter(organisation=organisation, intake_key=intake_key).exists():
            continue
        participant = services.participant_intake(
            organisation=organisation, intake_key=intake_key, recorded_by=coordinator,
            first_name=first, last_name=last, birth_year=year, gender=gender,
            phone=f"+32 47{index % 10} {10 + index:02d} {20 + index:02d} {30 + index:02d}",
            postcode=postcode, languages=languages,
            message_language="fr" if languages[0] == "fr" else "nl",
            interests=[interests[k] for k in likes], availability=to_mask(slots),
            waiting_since=today - datetime.timedelta(days=days),
            last_contact_on=today - datetime.timedelta(days=min(days, 14 + index * 3)),
            referrer=["ocmw", "caw", "self", "other"][index % 4],
            referrer_detail="Huis van het Kind" if index % 4 == 3 else "",
            buddy_gender="female" if gender == "female" and index % 3 == 0 else "",
            buddy_gender_strength="must" if index % 6 == 0 else "preference",
            buddy_roles=["free_time", "social"] + (["language"] if "taal" in likes else []),
            excluded_areas=["finances"] if index % 2 else [],
            budget="free" if index % 3 == 0 else "cheap",
            intake_note="Graag rustig opbouwen; eerst telefonisch contact.",
            consents=["data", "sms", "share_profile"],
        )
        if status == ParticipantStatus.PAUSED:
            services.participant_pause(participant=participant,
                                       check_back_on=today + datetime.timedelta(days=30 + index))
        elif status == ParticipantStatus.WITHDRAWN:
            services.participant_withdraw(participant=participant,
                                          reason="Verhuisd naar Brugge.")


def _volunteers(organisation, interests, rows, users):
    today = timezone.localdate()
    for index, (key, first, last, year, gender, postcode, languages, likes, ready,
                slots) in enumerate(rows):
        intake_key = f"demo-{organisation.slug}-{key}"
        if Volunteer.objects.filter(organisation=organisation, intake_key=intake_key).exists():
            continue
        fields = {}
        if ready:
            fields = {"intake_talk_on": today - datetime.timedelta(days=120 + index),
                      "certificate_seen_on": today - datetime.timedelta(days=130 + index),
                      "training_done_on": today - datetime.timedelta(days=90 + index)}
        elif index % 2:
            fields = {"intake_talk_on": today - datetime.timedelta(days=10)}
        services.volunteer_intake(
            organisation=organisation, intake_key=intake_key, first_name=first, last_name=last,
            birth_year=year, gender=gender,
            phone=f"0486 {40 + index:02d} {50 + index:02d} {60 + index:02d}", postcode=postcode,
            languages=languages, interests=[interests[k] for k in likes],
            availability=to_mask(slots), email=f"{first.lower()}.{key}@example.org",
            motivation="Ik wil iets betekenen voor iemand in mijn buurt.",
            introduction=f"Hoi, ik ben {first}. Ik hou van {interests[likes[0]].label_nl.lower()}.",
            lived_experience="yes" if index % 5 == 0 else "",
            capacity=2 if index == 0 else 1,
            user=users.get("vrijwilliger") if key == "v01" else None,
            **fields,
        )


# Applicants through the public page, in several stages of screening: key, first name,
# last name, postcode, interests, days since they applied, [(stage kind, days ago), ...].
APPLICANTS = [
    ("d01", "Lotte", "Wuyts", "9000", ["wandelen", "koffie"], 2, []),
    ("d02", "Jonas", "De Wilde", "9050", ["fietsen"], 21, [("intake_planned", 16)]),
    ("d03", "Nadia", "Bouzid", "9040", ["koken", "taal"], 42,
     [("intake_planned", 38), ("intake_held", 33), ("certificate", 20)]),
    ("d04", "Ruben", "Verstraete", "9000", ["muziek", "film"], 70,
     [("intake_planned", 65), ("intake_held", 60), ("certificate", 50), ("references", 40),
      ("training", 6)]),
]


def _applicants(organisation, interests, coordinator):
    """A few volunteers who applied on the public page, each in another stage of screening,
    one participant who asked for a buddy themselves, and one application from someone
    registered already (a task to merge)."""
    today = timezone.localdate()
    for index, (key, first, last, postcode, likes, applied, steps) in enumerate(APPLICANTS):
        form_key = f"demo-{organisation.slug}-{key}"
        if Application.objects.filter(organisation=organisation, form_key=form_key).exists():
            continue
        application = application_services.volunteer_apply(
            organisation=organisation, form_key=form_key, consents=["data", "messages"],
            first_name=first, last_name=last, phone=f"0487 {20 + index:02d} 31 42",
            contact_channel=ContactChannel.SMS, message_language="nl", postcode=postcode,
            languages=["nl"], interests=[interests[k] for k in likes],
            availability=to_mask([(index % 5, 1), (5, 0)]), meeting_frequency="fortnightly",
            motivation="Ik heb tijd en wil graag iemand leren kennen.")
        # The demo's history: they applied some days ago (the page records today).
        ScreeningStep.objects.filter(volunteer=application.volunteer).update(
            entered_on=today - datetime.timedelta(days=applied))
        stages = {stage.kind: stage
                  for stage in screening_services.screening_stages_ensure(organisation)}
        for kind, days in steps:
            screening_services.screening_move(
                volunteer=application.volunteer, stage=stages[kind],
                on=today - datetime.timedelta(days=days), by=coordinator,
                note="Telefonisch afgesproken." if kind == "intake_planned" else "")
    extra = [
        (application_services.participant_apply, "d10", dict(
            first_name="Samira", phone="0487 30 41 52", message_language="fr",
            languages=["fr", "ar"], interests=[interests["koffie"]],
            consents=["data", "sms"], intake_note="Je voudrais sortir un peu plus.")),
        # The same mobile number as the demo volunteer Pieter: a task to merge.
        (application_services.volunteer_apply, "d11", dict(
            first_name="Pieter", phone="0486 40 50 60", message_language="nl",
            languages=["nl", "fr"], interests=[interests["wandelen"]],
            consents=["data", "messages"], motivation="Ik wil er een tweede duo bij.")),
    ]
    for service, key, fields in extra:
        form_key = f"demo-{organisation.slug}-{key}"
        if not Application.objects.filter(organisation=organisation,
                                          form_key=form_key).exists():
            service(organisation=organisation, form_key=form_key, postcode="9000",
                    contact_channel=ContactChannel.SMS, availability=to_mask([(2, 1)]),
                    **fields)


def seed(base):
    if not Postcode.objects.exists():  # a database flushed after the migrations ran
        postcodes.load(Postcode)
    organisations, users = base["organisations"], base["users"]
    gent = organisations["samen-op-weg-gent"]
    interests = _catalogue(gent)
    _participants(gent, interests, PARTICIPANTS, users.get("coordinator"))
    _volunteers(gent, interests, VOLUNTEERS, users)
    _applicants(gent, interests, users.get("coordinator"))
    antwerp = organisations["maatjes-antwerpen"]
    antwerp_interests = _catalogue(antwerp)
    _participants(antwerp, antwerp_interests, ANTWERP, users.get("coordinator-antwerpen"))
    _volunteers(antwerp, antwerp_interests, ANTWERP_VOLUNTEERS, {})
