"""Names, places and tariff groups the demo export draws its customers from."""

TOWNS = {
    "jaworzno": [("Jaworzno", "43-600"), ("Jaworzno", "43-603"), ("Jaworzno", "43-608")],
    "bedzin-czeladz-sosnowiec": [("Sosnowiec", "41-200"), ("Będzin", "42-500"), ("Czeladź", "41-250")],
}
STREETS = {
    "Jaworzno": [
        "Grunwaldzka",
        "Mickiewicza",
        "Krakowska",
        "Armii Krajowej",
        "Obrońców Poczty Gdańskiej",
        "Inwalidów Wojennych",
        "Paderewskiego",
        "Kościuszki",
        "Chełmońskiego",
        "Moniuszki",
    ],
    "Sosnowiec": [
        "3 Maja",
        "Piłsudskiego",
        "Małachowskiego",
        "Kilińskiego",
        "Orla",
        "Narutowicza",
        "Staszica",
        "Kościelna",
    ],
    "Będzin": ["Małachowskiego", "Kołłątaja", "Piłsudskiego", "Sienkiewicza", "Zawale", "Krakowska"],
    "Czeladź": ["Katowicka", "Bytomska", "Szpitalna", "Grodziecka", "Kościuszki", "Nowopogońska"],
}
COOPERATIVES = ["Zgoda", "Przyszłość", "Górnik", "Energetyk", "Podwale", "Osiedle Stałe", "Hutnik", "Zagłębie"]
SCHOOLS = ["Szkoła Podstawowa nr {n}", "Przedszkole Miejskie nr {n}", "Zespół Szkół Technicznych nr {n}"]
COMPANIES = [
    "Piekarnia {s} s.c.",
    "{s} Nieruchomości Sp. z o.o.",
    "Przychodnia Lekarska „{s}” Sp. z o.o.",
    "{s} Serwis Sp. z o.o.",
]
SURNAMES = [
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Mazur",
    "Jankowski",
    "Kwiatkowski",
]
FIRST_NAMES = [
    "Jan",
    "Anna",
    "Piotr",
    "Maria",
    "Krzysztof",
    "Katarzyna",
    "Andrzej",
    "Małgorzata",
    "Tomasz",
    "Agnieszka",
    "Paweł",
    "Barbara",
    "Łukasz",
    "Ewa",
]
TARIFF_GROUPS = ["A1", "A2", "B1", "B2", "C1"]


def feminine(surname):
    return surname[:-1] + "a" if surname.endswith("ki") else surname
