"""What the seeder draws from: Belgian first names, surnames, towns, phone areas and trade names per region,
and how often each mandate status, mandate group and online service occurs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onss_tui.domain.enums import EnterpriseCategory, MandateStatus

# ---------------------------------------------------------------------------------------------- people


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


FLEMISH_MEN = _words(
    "Jan Pieter Koen Bart Tom Wim Dirk Luc Marc Peter Kris Stijn Jeroen Wout Lars Arne Jens Thomas "
    "Robbe Seppe Lukas Milan Vincent Bram Jonas Maarten Joris Sander Ruben Tim Kevin Steven Geert "
    "Filip Johan Hans Erik Wouter Dries Ward Senne Kobe Mathias Niels Simon Brecht Gert Rik Frank "
    "Jef Lowie"
)
FLEMISH_WOMEN = _words(
    "An Els Katrien Sofie Lien Lotte Emma Marie Sarah Eva Hanne Lore Nele Ine Kaat Griet Inge Veerle "
    "Annelies Evelien Charlotte Elke Leen Liesbeth Marleen Nathalie Tine Femke Jolien Fien Noor "
    "Ellen Hilde Karolien Lieve Mieke Sien Nina Ann Joke Kim Linde Saskia Ilse Marthe Jana"
)
WALLOON_MEN = _words(
    "Jean Luc Pierre Michel Philippe Olivier Nicolas Julien Thomas Antoine Maxime François Laurent "
    "Christophe Benoît Damien Sébastien Vincent Cédric Arnaud Romain Grégory Quentin Guillaume Alain "
    "Jacques Didier Thierry Pascal Frédéric Jérôme Hugo Louis Nathan Arthur Victor Martin Mathieu "
    "Xavier Yves Loïc"
)
WALLOON_WOMEN = _words(
    "Marie Sophie Julie Isabelle Nathalie Catherine Anne Valérie Christine Aurélie Céline Camille "
    "Laura Pauline Charlotte Manon Léa Chloé Émilie Sandrine Véronique Caroline Stéphanie Florence "
    "Virginie Delphine Martine Françoise Jacqueline Mélanie Justine Élise Louise Alice Clara "
    "Juliette Amandine Géraldine Annick Murielle"
)
BRUSSELS_MEN = _words(
    "Mohamed Youssef Mehdi Karim Ayoub Hamza Ibrahim Omar Rachid Samir Bilal Adam Amine Ilyas "
    "Yassine Mustafa Emre Mehmet Burak Kemal Tomasz Piotr Marco Luca Alessandro João Diego Carlos "
    "Alexandru Andrei Ahmed Ismaël Moussa Mamadou Nikos Dimitri Stefan Jakub Pablo Sami"
)
BRUSSELS_WOMEN = _words(
    "Fatima Yasmina Nadia Samira Leila Salma Imane Aïcha Khadija Sara Ines Lina Meryem Elif Zeynep "
    "Ayşe Ana Maria Giulia Francesca Agnieszka Katarzyna Elena Ioana Sofia Carmen Aminata Fatou Awa "
    "Rania Hajar Nour Yasmine Soraya Malika Hind Dounia Amal Selma Hanna"
)
FLEMISH_SURNAMES = _words(
    "Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Claes|Goossens|Wouters|Vermeulen|Hermans|Aerts|"
    "Pauwels|Michiels|Verhoeven|Smets|Stevens|Lemmens|Verstraete|Martens|Declercq|Desmet|Bogaert|"
    "Hendrickx|Coppens|Geerts|Cools|Claeys|Leemans|Segers|Wuyts|Verbruggen|Baert|Devos|Thys|Vos|"
    "Mahieu|Verschueren|Vervoort|Huysmans|Moens|Maenhout|Vandenbussche|Nijs|Bosmans|Daems|Beckers|"
    "Roels|Dewulf|Mattheeuws|Vanhoutte|Verlinden|Cornelis|Boeckx|Luyten|Timmermans|Verbeke|Vandamme|"
    "Goethals|Ceulemans|Heylen|De Smet|Van Damme|Van den Broeck|De Backer|De Clercq|Vandenberghe|"
    "Van de Velde|Van Dyck|De Vos|De Wilde|Van Hecke|Van Acker|D'Hondt|Van Hoof|De Coninck|Van Looy",
    "|",
)
WALLOON_SURNAMES = _words(
    "Dubois|Lambert|Martin|Dupont|Simon|Laurent|Leclercq|Lejeune|Renard|Dumont|François|Lefebvre|"
    "Leroy|Gérard|Mathieu|Henry|Denis|Lemaire|Collard|Fontaine|Dumoulin|Jacquet|Charlier|Thiry|"
    "Delvaux|Gilson|Noël|Piette|Masson|Lecomte|Rousseau|Marchal|Bodart|Hubert|Michaux|Remy|Wilmotte|"
    "Hardy|Gillet|Servais|Delhaye|Dethier|Lhoest|Pirard|Mathy|Bertrand|Colin|Legrand|Baudoin|Dufour|"
    "Lallemand|Delcourt|Parmentier|Georges|André|Closset|Massart|Pirotte|Leonard|Rigaux|Hennuy|"
    "Defourny|de Lannoy|Van Cauwenberghe|Dupuis",
    "|",
)
BRUSSELS_SURNAMES = _words(
    "Benali|Bouzid|Ouali|Tahiri|Yilmaz|Kaya|Demir|Şahin|Öztürk|Çelik|Nowak|Kowalski|Wiśniewski|Rossi|"
    "Russo|Bianchi|Esposito|García|Fernández|Martínez|Silva|Santos|Pereira|Popescu|Ionescu|Diallo|"
    "Traoré|Kabongo|Mukendi|Tshibangu|Nguyen|Papadopoulos|Haddad|Mansouri|Chakir|Amrani|Bakkali|"
    "Azzouzi|Benhaddou|Cherkaoui|El Amrani|El Idrissi|Aït Ali|El Khattabi|El Ouardi",
    "|",
)

# ---------------------------------------------------------------------------------------------- places

FLEMISH_TOWNS = _words(
    "Gent Antwerpen Brugge Leuven Mechelen Aalst Kortrijk Hasselt Genk Sint-Niklaas Oostende "
    "Roeselare Turnhout Lier Geel Dendermonde Ieper Tienen Lokeren Waregem Beveren Herentals Mol "
    "Tielt Diest Ninove Zottegem Aarschot Bilzen Tongeren Lommel Maasmechelen Beringen Deinze Eeklo "
    "Vilvoorde Halle Zaventem Asse Boom Brasschaat Kapellen Knokke-Heist Poperinge Menen Harelbeke "
    "Wetteren Ronse Izegem Torhout"
)
WALLOON_TOWNS = _words(
    "Namur Liège Charleroi Mons Tournai Verviers Seraing Mouscron Wavre Arlon Huy Dinant Nivelles "
    "Waterloo Spa Bastogne Ath Soignies Binche Gembloux Durbuy Ciney Malmedy Eupen Jodoigne Fleurus "
    "Herstal Ottignies Tubize Waremme Marche-en-Famenne Andenne Châtelet Braine-l'Alleud Rixensart "
    "Hannut Virton Chimay Couvin Philippeville Stavelot Visé Ans Flémalle Frameries Quaregnon "
    "Péruwelz Enghien Lessines"
)
BRUSSELS_TOWNS = _words(
    "Bruxelles Ixelles Schaerbeek Anderlecht Molenbeek Uccle Forest Etterbeek Jette Saint-Gilles "
    "Evere Auderghem Ganshoren Koekelberg Woluwe-Saint-Lambert Woluwe-Saint-Pierre "
    "Watermael-Boitsfort Berchem-Sainte-Agathe Saint-Josse"
)


def _landline_prefixes(areas: str) -> tuple[str, ...]:
    """Area codes followed by a first subscriber digit that the numbering plan uses there."""
    leading = {"4": "23", "9": "234"}
    return tuple(area + digit for area in areas.split() for digit in leading.get(area, "2345678"))


FLEMISH_AREAS = _landline_prefixes("3 9 50 16 11 15 56 59 14 53 52 54 57 51 13 89")
WALLOON_AREAS = _landline_prefixes("4 81 71 65 10 67 87 63 69 85 82 84 61 64 80 83")
BRUSSELS_AREAS = _landline_prefixes("2")
MOBILE_PREFIXES = _words(
    "460 465 466 467 468 470 471 472 473 474 475 476 477 478 479 483 484 485 486 487 488 489 490 491 "
    "492 493 494 495 496 497 498 499"
)
FLEMISH_TRADES = _words(
    "Bakkerij {last}|Garage {last}|Schrijnwerkerij {last}|Transport {last}|{last} & Zonen|"
    "Bouwbedrijf {last}|Brouwerij {last}|Apotheek {last}|Dakwerken {last}|Tandartspraktijk {last}|"
    "{town} Logistics|{last} Consult|Elektro {last}|Immo {last}|Kapsalon {first}|Slagerij {last}|"
    "Frituur {first}|{last} Installaties|Tuinaanleg {last}|Drukkerij {last}|Schoonmaak {town}|"
    "Verzekeringen {last}|Architectenbureau {last}|{last}-{last2}",
    "|",
)
WALLOON_TRADES = _words(
    "Boulangerie {last}|Garage {last}|Menuiserie {last}|Transports {last}|{last} & Fils|"
    "Constructions {last}|Brasserie {last}|Pharmacie {last}|Toitures {last}|Cabinet dentaire {last}|"
    "{town} Logistique|{last} Conseil|Électricité {last}|Immobilière {last}|Salon {first}|"
    "Boucherie {last}|Friterie {first}|Chauffage {last}|Jardins {last}|Imprimerie {last}|"
    "Nettoyage {town}|Assurances {last}|Bureau d'architecture {last}|{last}-{last2}",
    "|",
)
BRUSSELS_TRADES = _words(
    "{last} Partners|{town} Digital|{last} Trading|{last} Solutions|Café {first}|Épicerie {last}|"
    "Restaurant {first}|{last} Import-Export|Cleaning {town}|Taxi {last}",
    "|",
)
WITHOUT_STAFF = _words(
    "{last} Holding|{last} Management|Immo {last}|{first} {last} Beheer|Patrimoine {last}|{last} Invest", "|"
)
FLEMISH_FORMS = _words("BV BV BV NV CV VZW CommV")
WALLOON_FORMS = _words("SRL SRL SRL SA SC ASBL SComm")
FLEMISH_LOCAL = _words(
    "Gemeente {town}|OCMW {town}|Stad {town}|Politiezone {town}|AGB {town}|Brandweerzone {town}", "|"
)
WALLOON_LOCAL = _words(
    "Commune {de}{town}|CPAS {de}{town}|Ville {de}{town}|Zone de police {town}|"
    "Régie communale autonome {de}{town}|Zone de secours {town}",
    "|",
)
FLEMISH_SOCIAL = _words(
    "Sociaal Secretariaat {town}|Erkend Sociaal Secretariaat {last}|{last} Sociaal Secretariaat|"
    "Sociaal Secretariaat Ondernemers {town}",
    "|",
)
WALLOON_SOCIAL = _words(
    "Secrétariat social {town}|Secrétariat social agréé {last}|Secrétariat social des employeurs {town}|"
    "{last} Secrétariat social",
    "|",
)
FLEMISH_SERVICES = _words(
    "Accountantskantoor {last}|Sociale Dienstverlening {last}|{last} Payroll|Loonbureau {town}", "|"
)
WALLOON_SERVICES = _words(
    "Fiduciaire {last}|Bureau social {last}|{last} Payroll|Gestion salariale {town}", "|"
)


@dataclass(frozen=True)
class Region:
    """Where an enterprise sits: its people's names, its towns, its phone areas and its trade names."""

    men: Sequence[str]
    women: Sequence[str]
    surnames: Sequence[str]
    towns: Sequence[str]
    areas: Sequence[str]
    trades: Sequence[str]
    forms: Sequence[str]
    local: Sequence[str]
    secretariats: Sequence[str]
    providers: Sequence[str]
    nonprofit: str


FLANDERS = Region(
    FLEMISH_MEN,
    FLEMISH_WOMEN,
    FLEMISH_SURNAMES,
    FLEMISH_TOWNS,
    FLEMISH_AREAS,
    FLEMISH_TRADES,
    FLEMISH_FORMS,
    FLEMISH_LOCAL,
    FLEMISH_SOCIAL,
    FLEMISH_SERVICES,
    "VZW",
)
WALLONIA = Region(
    WALLOON_MEN,
    WALLOON_WOMEN,
    WALLOON_SURNAMES,
    WALLOON_TOWNS,
    WALLOON_AREAS,
    WALLOON_TRADES,
    WALLOON_FORMS,
    WALLOON_LOCAL,
    WALLOON_SOCIAL,
    WALLOON_SERVICES,
    "ASBL",
)
BRUSSELS = Region(
    BRUSSELS_MEN + WALLOON_MEN[:20] + FLEMISH_MEN[:12],
    BRUSSELS_WOMEN + WALLOON_WOMEN[:20] + FLEMISH_WOMEN[:12],
    BRUSSELS_SURNAMES + WALLOON_SURNAMES[:30] + FLEMISH_SURNAMES[:15],
    BRUSSELS_TOWNS,
    BRUSSELS_AREAS,
    BRUSSELS_TRADES + WALLOON_TRADES[:12] + FLEMISH_TRADES[:8],
    WALLOON_FORMS[:4] + FLEMISH_FORMS[:3],
    WALLOON_LOCAL[:3],
    WALLOON_SOCIAL + FLEMISH_SOCIAL[:1],
    WALLOON_SERVICES + FLEMISH_SERVICES[:2] + ("{last} Social Services", "HR Services {town}"),
    "ASBL",
)
REGIONS = (FLANDERS, WALLONIA, BRUSSELS)
REGION_WEIGHTS = (58, 32, 10)

# ---------------------------------------------------------------------------------------------- mixes

MANDATE_STATUS_MIX = (
    (MandateStatus.ACTIVE, 74),
    (MandateStatus.CLOSED, 11),
    (MandateStatus.PENDING, 6),
    (MandateStatus.TO_FINALISE, 5),
    (MandateStatus.REJECTED, 4),
)
GROUP_LIKELIHOOD = {
    "dmfa_dimona": 0.9,
    "dmfappl_dimona": 0.9,
    "drs_unemployment": 0.6,
    "contributions": 0.55,
    "temporary_unemployment": 0.3,
    "side_jobs": 0.15,
}
"""How often a mandate covers each group it may cover; a group not listed here: 0.3."""
SERVICE_LIKELIHOOD: dict[str, dict[str, float]] = {
    EnterpriseCategory.EMPLOYER: {
        "dimona": 0.7,
        "dmfa": 0.6,
        "drs": 0.3,
        "temporary_unemployment": 0.2,
        "limosa": 0.1,
        "checkinatwork": 0.08,
        "wide": 0.05,
        "mahis_consult": 0.1,
        "ebox_enterprise": 0.4,
        "chaman": 0.02,
    },
    EnterpriseCategory.LOCAL_ADMINISTRATION: {
        "dimona": 0.7,
        "dmfappl": 0.7,
        "drs": 0.3,
        "temporary_unemployment": 0.1,
        "mahis_consult": 0.1,
        "ebox_enterprise": 0.5,
    },
    EnterpriseCategory.NO_STAFF: {"ebox_enterprise": 0.8, "mahis_consult": 0.3},
    "provider": {
        "dimona": 0.8,
        "dmfa": 0.8,
        "drs": 0.5,
        "mahis_manage": 0.5,
        "mahis_consult": 0.3,
        "ebox_enterprise": 0.3,
        "chaman": 0.1,
    },
}
"""How often a user of each kind of enterprise holds each online service (providers: secretariats too)."""
