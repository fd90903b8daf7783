"""Sectors and products of the northern economy: NACE classes, products, HS codes, units.

The mix follows domain-facts.md ("Sectors typical of the north"): trade, agriculture, food
processing, wood and metal manufacturing, construction and services. Each sector also says
which compliance questions apply to it, so ``na`` answers fall where the survey would put them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FOOD_DIVISIONS = frozenset({"01", "10", "11", "56"})
"""Food businesses in the survey's sense (FVA registration and HACCP apply)."""


@dataclass(frozen=True)
class Product:
    """A product or service as owners describe it; ``hs`` is empty for services."""

    sr: str
    sq: str
    hs: str
    unit: str
    volume: float
    """Typical annual volume of a micro business, in ``unit``."""


@dataclass(frozen=True)
class Sector:
    """A NACE class with how businesses in it are named, sized and regulated."""

    nace: str
    weight: float
    kinds_sr: tuple[str, ...]
    kinds_sq: tuple[str, ...]
    prefix: str
    abbr: str
    products: tuple[Product, ...]
    labelled: bool = False
    """Sells labelled goods (bilingual labelling applies)."""
    goods: bool = True
    """Product certification applies."""
    env: bool = False
    """Needs an environmental permit or municipal consent."""
    licence: bool = False
    """Needs an activity licence."""
    size: float = 1.0
    """Multiplier on staff numbers."""
    exporter: float = 0.0
    """Extra chance of exporting beyond Serbia (frozen raspberries, ores, wood)."""
    local: dict[int, float] = field(default_factory=dict)
    """Weight multipliers by KAS municipality code."""

    @property
    def division(self) -> str:
        """The NACE division, e.g. ``10``."""
        return self.nace[:2]

    @property
    def food(self) -> bool:
        """A food business: FVA registration and HACCP questions apply."""
        return self.division in FOOD_DIVISIONS


P = Product
_MITR, _ZVE, _LEP, _ZUB = 38, 29, 12, 28

SECTORS: tuple[Sector, ...] = (
    # Agriculture, forestry, mining
    Sector("01.24", 2.0, ("Voćnjak", "Poljoprivredno gazdinstvo"), ("Pemishtja", "Ferma"),
           "Agro", "PG", (
               P("Šljiva (sveža)", "Kumbulla të freskëta", "080940", "kg", 8000),
               P("Jabuka", "Mollë", "080810", "kg", 10000),
               P("Kruška", "Dardha", "080830", "kg", 4000),
               P("Šljiva sušena", "Kumbulla të thata", "081320", "kg", 1500),
               P("Trešnja", "Qershi", "080929", "kg", 2000),
           ), local={_LEP: 1.5, _ZUB: 1.3, _MITR: 0.4}),
    Sector("01.25", 6.0, ("Poljoprivredno gazdinstvo", "Malinjak"), ("Ferma", "Agro"),
           "Agro", "PG", (
               P("Malina smrznuta", "Mjedër e ngrirë", "081120", "kg", 10000),
               P("Malina sveža", "Mjedër e freskët", "081020", "kg", 6000),
               P("Kupina", "Manaferra", "081020", "kg", 2000),
               P("Borovnica", "Boronicë", "081040", "kg", 1000),
               P("Orah (očišćen)", "Arra të qëruara", "080232", "kg", 500),
           ), exporter=0.25, local={_LEP: 2.0, _ZUB: 1.8, _ZVE: 1.2, _MITR: 0.3}),
    Sector("01.41", 4.0, ("Farma", "Poljoprivredno gazdinstvo"), ("Ferma", "Ferma e lopëve"),
           "Agro", "PG", (
               P("Mleko kravlje", "Qumësht lope", "0401", "l", 30000),
               P("Sir (kravlji)", "Djathë lope", "0406", "kg", 2000),
               P("Kajmak", "Kajmak", "0405", "kg", 600),
               P("Telad za tov", "Viça për majmëri", "0102", "piece", 12),
           ), env=True, local={_LEP: 1.6, _ZUB: 1.6, _ZVE: 1.2, _MITR: 0.3}),
    Sector("01.45", 2.0, ("Farma", "Poljoprivredno gazdinstvo"), ("Ferma", "Stani"),
           "Agro", "PG", (
               P("Jagnjad", "Qengja", "0104", "piece", 40),
               P("Sir (ovčiji)", "Djathë dhensh", "0406", "kg", 800),
               P("Vuna", "Lesh", "5101", "kg", 300),
               P("Kozje mleko", "Qumësht dhie", "0401", "l", 5000),
           ), local={_LEP: 1.6, _ZUB: 1.6, _MITR: 0.3}),
    Sector("01.49", 3.0, ("Pčelarstvo", "Pčelinjak"), ("Bletari", "Mjaltë"),
           "Med", "PG", (
               P("Med (bagremov)", "Mjaltë akacie", "0409", "kg", 400),
               P("Med (livadski)", "Mjaltë lulesh", "0409", "kg", 600),
               P("Propolis", "Propolis", "0410", "kg", 15),
               P("Pčelinji vosak", "Dyllë bletësh", "152190", "kg", 40),
               P("Rojevi pčela", "Bletë (koshere)", "010641", "piece", 30),
           ), labelled=True, local={_LEP: 1.5, _ZUB: 1.3}),
    Sector("02.20", 2.0, ("Šumarstvo", "Seča i prevoz drva"), ("Pylltaria", "Drutë"),
           "Drvo", "SZR", (
               P("Ogrevno drvo", "Dru zjarri", "4401", "m3", 800),
               P("Trupci bukovi", "Trungje ahu", "4403", "m3", 500),
               P("Drveni ugalj", "Qymyr druri", "4402", "kg", 20000),
           ), env=True, licence=True, size=1.3, local={_ZUB: 2.2, _LEP: 1.8, _MITR: 0.2}),
    Sector("02.30", 2.0, ("Otkup šumskih plodova", "Sabirna stanica"), ("Grumbullim", "Agro"),
           "Eko", "PG", (
               P("Vrganj sušeni", "Kërpudha të thata", "071239", "kg", 300),
               P("Vrganj sveži", "Kërpudha të freskëta", "070959", "kg", 1500),
               P("Borovnica divlja", "Boronica të egra", "081040", "kg", 2000),
               P("Lekovito bilje", "Bimë mjekësore", "1211", "kg", 800),
               P("Šipak", "Kaça", "081090", "kg", 500),
           ), labelled=True, exporter=0.2, local={_ZUB: 1.8, _LEP: 1.8, _MITR: 0.3}),
    Sector("07.29", 0.5, ("Rudnik", "Flotacija"), ("Miniera", "Flotacioni"),
           "Rud", "SZR", (
               P("Koncentrat olova", "Koncentrat plumbi", "2607", "t", 2000),
               P("Koncentrat cinka", "Koncentrat zinku", "2608", "t", 3000),
           ), env=True, licence=True, size=4.0, exporter=0.5, local={_LEP: 2.5, _ZVE: 2.0}),
    # Food and drink
    Sector("10.13", 1.5, ("Mesara", "Sušara mesa"), ("Mishtore", "Thertore"),
           "Agro", "SZR", (
               P("Suvo meso", "Mish i tharë", "021020", "kg", 3000),
               P("Kobasica domaća", "Suxhuk shtëpie", "1601", "kg", 4000),
               P("Pršuta", "Proshutë", "021019", "kg", 1000),
               P("Čvarci", "Dhjamë të skuqur", "1602", "kg", 800),
           ), labelled=True, env=True, size=1.5),
    Sector("10.39", 1.5, ("Prerada voća", "Hladnjača"), ("Përpunim frutash", "Frigorifer"),
           "Agro", "SZR", (
               P("Ajvar", "Ajvar", "200599", "kg", 3000),
               P("Džem od šljiva", "Reçel kumbulle", "2007", "kg", 2000),
               P("Sok od jabuke", "Lëng molle", "2009", "l", 5000),
               P("Slatko od malina", "Reçel mjedre", "2007", "kg", 800),
               P("Turšija", "Turshi", "2001", "kg", 2000),
           ), labelled=True, env=True, size=1.8, exporter=0.1),
    Sector("10.51", 2.0, ("Mlekara", "Sirana"), ("Bulmetore", "Qumështore"),
           "Agro", "SZR", (
               P("Sir (kravlji)", "Djathë lope", "0406", "kg", 8000),
               P("Kajmak", "Kajmak", "0405", "kg", 2000),
               P("Jogurt", "Kos", "040320", "l", 6000),
               P("Pavlaka", "Ajkë", "040390", "kg", 1500),
               P("Mleko pasterizovano", "Qumësht i pasterizuar", "0401", "l", 50000),
           ), labelled=True, env=True, size=1.6, local={_LEP: 1.3, _ZUB: 1.3}),
    Sector("10.71", 4.0, ("Pekara", "Pekara i poslastičarnica"), ("Furrë buke", "Furra"),
           "Hleb", "SZR", (
               P("Hleb", "Bukë", "1905", "piece", 60000),
               P("Burek", "Byrek", "1905", "kg", 8000),
               P("Kifle i peciva", "Kifle dhe pasta", "1905", "piece", 20000),
               P("Torte i kolači", "Ëmbëlsira", "1905", "kg", 1500),
           ), labelled=True, size=1.5, local={_MITR: 1.4}),
    Sector("11.01", 1.0, ("Destilerija", "Rakijski podrum"), ("Distileria", "Rakia"),
           "Vin", "SZR", (
               P("Rakija šljivovica", "Raki kumbulle", "2208", "l", 1500),
               P("Rakija dunjevača", "Raki ftoi", "2208", "l", 500),
               P("Rakija lozovača", "Raki rrushi", "2208", "l", 800),
               P("Medovača", "Raki me mjaltë", "2208", "l", 200),
           ), labelled=True, licence=True, local={_LEP: 1.5, _ZUB: 1.3}),
    Sector("11.02", 0.5, ("Vinarija", "Podrum"), ("Vreshta", "Bodrumi"),
           "Vin", "SZR", (
               P("Vino crveno", "Verë e kuqe", "2204", "l", 4000),
               P("Vino belo", "Verë e bardhë", "2204", "l", 3000),
           ), labelled=True, licence=True),
    # Manufacturing
    Sector("16.10", 2.0, ("Pilana", "Strugara"), ("Sharra", "Sharrë druri"),
           "Drvo", "SZR", (
               P("Daska rezana", "Dërrasë e prerë", "4407", "m3", 600),
               P("Greda", "Trarë", "4407", "m3", 300),
               P("Jelova građa", "Lëndë bredhi", "440711", "m3", 200),
               P("Pelet", "Pelet druri", "440131", "t", 400),
           ), env=True, size=1.6, exporter=0.1, local={_ZUB: 2.0, _LEP: 1.6, _MITR: 0.4}),
    Sector("16.23", 2.0, ("Stolarija", "Građevinska stolarija"), ("Zdrukthtari", "Marangoz"),
           "Drvo", "SZR", (
               P("Prozori drveni", "Dritare druri", "441810", "piece", 200),
               P("Vrata drvena", "Dyer druri", "4418", "piece", 150),
               P("Stepenište drveno", "Shkallë druri", "4418", "piece", 20),
               P("Parket", "Parket", "4418", "m2", 1500),
           ), size=1.3),
    Sector("31.09", 1.5, ("Stolarija", "Proizvodnja nameštaja"), ("Mobileri", "Zdrukthtari"),
           "Drvo", "SZR", (
               P("Kuhinjski elementi", "Mobilje kuzhine", "9403", "piece", 80),
               P("Trpezarijski sto", "Tavolinë ngrënieje", "940360", "piece", 120),
               P("Stolice drvene", "Karrige druri", "940161", "piece", 300),
               P("Ormari", "Dollapë", "9403", "piece", 60),
           ), size=1.4),
    Sector("25.11", 1.5, ("Bravarija", "Metalske konstrukcije"), ("Metal", "Konstruksione"),
           "Metal", "SZR", (
               P("Metalna konstrukcija", "Konstruksion metalik", "7308", "kg", 20000),
               P("Kapija metalna", "Portë metalike", "7308", "piece", 60),
               P("Ograda metalna", "Gardh metalik", "7308", "m2", 800),
               P("Nadstrešnica", "Strehë metalike", "7308", "piece", 25),
           ), env=True, size=1.5, local={_ZVE: 1.5}),
    Sector("25.62", 1.0, ("Mašinska radionica", "Strugarska radnja"), ("Punëtori", "Torno"),
           "Metal", "SZR", (
               P("Usluge struganja", "Shërbime tornimi", "", "hour", 1500),
               P("Rezervni delovi (mašinski)", "Pjesë këmbimi", "8487", "piece", 500),
               P("Zavarivanje", "Saldim", "", "hour", 1200),
           ), env=True, local={_ZVE: 1.6}),
    # Construction
    Sector("41.20", 3.0, ("Građevinsko preduzeće", "Gradnja"), ("Ndërtimi", "Ndërtim"),
           "Gradnja", "ZR", (
               P("Izgradnja stambenih objekata", "Ndërtim banesash", "", "m2", 1200),
               P("Adaptacija objekata", "Renovim objektesh", "", "m2", 800),
               P("Izgradnja poslovnih objekata", "Ndërtim objektesh afariste", "", "m2", 600),
           ), goods=False, env=True, licence=True, size=2.5),
    Sector("43.21", 1.2, ("Elektroinstalacije", "Elektro servis"), ("Elektro", "Instalime"),
           "Elektro", "ZR", (
               P("Elektroinstalacije", "Instalime elektrike", "", "hour", 1600),
               P("Ugradnja solarnih panela", "Montim panelesh solare", "", "piece", 20),
           ), goods=False),
    Sector("43.22", 1.2, ("Vodoinstalater", "Grejanje i klima"), ("Hidraulik", "Instalime"),
           "Termo", "ZR", (
               P("Vodoinstalaterski radovi", "Instalime hidraulike", "", "hour", 1500),
               P("Ugradnja centralnog grejanja", "Ngrohje qendrore", "", "piece", 25),
           ), goods=False),
    Sector("43.34", 1.0, ("Molersko-farbarska radnja", "Moler"), ("Lyerës", "Bojaxhi"),
           "Kolor", "ZR", (
               P("Molersko-farbarski radovi", "Lyerje muresh", "", "m2", 6000),
               P("Postavljanje keramike", "Vendosje pllakash", "", "m2", 1500),
           ), goods=False),
    Sector("43.91", 0.8, ("Krovopokrivač", "Limarija"), ("Çati", "Mbulim"),
           "Krov", "ZR", (
               P("Krovopokrivački radovi", "Mbulim çatish", "", "m2", 2000),
               P("Limarski radovi", "Punime llamarine", "", "m2", 800),
           ), goods=False),
    # Trade
    Sector("46.31", 1.5, ("Otkup voća", "Veleprodaja voća i povrća"), ("Tregti frutash", "Agro"),
           "Agro", "STR", (
               P("Malina smrznuta (otkup)", "Mjedër e ngrirë (grumbullim)", "081120", "kg", 40000),
               P("Voće i povrće", "Fruta dhe perime", "08", "t", 200),
               P("Krompir", "Patate", "0701", "t", 150),
           ), labelled=True, size=1.5, exporter=0.3),
    Sector("46.39", 2.0, ("Veleprodaja", "Distribucija"), ("Shumicë", "Distribucion"),
           "Trade", "STR", (
               P("Brašno", "Miell", "1101", "t", 300),
               P("Šećer", "Sheqer", "1701", "t", 120),
               P("Suncokretovo ulje", "Vaj luledielli", "1512", "l", 40000),
               P("Bezalkoholna pića", "Pije freskuese", "2202", "l", 80000),
               P("Mešovita prehrambena roba", "Mallra ushqimore", "", "other", 1),
           ), labelled=True, size=2.0),
    Sector("46.73", 1.5, ("Stovarište građevinskog materijala", "Građevinski materijal"),
           ("Materiale ndërtimi", "Depo"), "Gradnja", "STR", (
               P("Cement", "Çimento", "2523", "t", 800),
               P("Crep i opeka", "Tjegulla dhe tulla", "6905", "piece", 60000),
               P("Armatura", "Hekur armature", "7214", "t", 150),
               P("Građevinska građa", "Lëndë druri", "4407", "m3", 300),
           ), labelled=True, size=1.6),
    Sector("47.11", 8.0, ("Market", "Prodavnica mešovite robe"), ("Market", "Dyqan"),
           "Market", "STR", (
               P("Mešovita roba", "Mallra të përziera", "", "other", 1),
               P("Prehrambeni proizvodi", "Produkte ushqimore", "", "other", 1),
               P("Pića", "Pije", "22", "l", 20000),
               P("Kućna hemija", "Kimikate shtëpiake", "34", "piece", 5000),
           ), labelled=True, local={_MITR: 1.3}),
    Sector("47.30", 1.2, ("Benzinska pumpa",), ("Pompë benzine",),
           "Petrol", "STR", (
               P("Dizel gorivo", "Naftë", "2710", "l", 600000),
               P("Benzin", "Benzinë", "2710", "l", 300000),
               P("Auto-plin", "Gaz për automjete", "2711", "l", 80000),
           ), labelled=True, env=True, licence=True, size=1.6),
    Sector("47.52", 2.0, ("Gvožđara", "Prodavnica boja i lakova"), ("Hekurishte", "Dyqan"),
           "Metal", "STR", (
               P("Gvožđarska roba", "Artikuj hekurishteje", "73", "piece", 10000),
               P("Boje i lakovi", "Bojëra dhe llaqe", "3209", "l", 3000),
               P("Alat", "Vegla pune", "82", "piece", 2000),
           ), labelled=True),
    Sector("47.71", 2.5, ("Butik", "Prodavnica odeće"), ("Butik", "Dyqan veshjesh"),
           "Moda", "STR", (
               P("Odeća", "Veshje", "62", "piece", 3000),
               P("Obuća", "Këpucë", "64", "piece", 1200),
           ), labelled=True, local={_MITR: 1.6}),
    Sector("47.73", 1.0, ("Apoteka",), ("Barnatore",),
           "Farm", "STR", (
               P("Lekovi", "Barna", "30", "piece", 20000),
               P("Kozmetika", "Kozmetikë", "33", "piece", 4000),
           ), labelled=True, licence=True, local={_MITR: 1.5}),
    # Transport, accommodation, food service
    Sector("49.41", 3.0, ("Prevoz", "Transport"), ("Transport", "Transporti"),
           "Trans", "SZR", (
               P("Prevoz robe", "Transport mallrash", "", "other", 40000),
               P("Prevoz građevinskog materijala", "Transport materialesh", "", "t", 5000),
           ), goods=False, licence=True, size=1.3),
    Sector("55.10", 1.0, ("Hotel", "Motel"), ("Hotel", "Motel"),
           "Tur", "UR", (
               P("Smeštaj (noćenja)", "Akomodim (netë)", "", "other", 3000),
               P("Restoran hotela", "Restorant", "", "other", 1),
               P("Organizacija proslava", "Organizim ahengjesh", "", "other", 30),
           ), goods=False, licence=True, size=2.5, local={_MITR: 1.4, _ZUB: 1.2}),
    Sector("55.20", 1.0, ("Apartmani", "Vikend naselje"), ("Apartamente", "Vila"),
           "Tur", "UR", (
               P("Apartmani za izdavanje", "Apartamente me qira", "", "other", 900),
               P("Kamp i iznajmljivanje čamaca", "Kamping dhe varka", "", "other", 200),
           ), goods=False, licence=True, local={_ZUB: 6.0, _LEP: 1.0, _MITR: 0.0, _ZVE: 0.2}),
    Sector("56.10", 5.0, ("Restoran", "Kafana", "Picerija", "Roštiljnica"),
           ("Restorant", "Qebaptore", "Piceri"), "Gastro", "UR", (
               P("Usluge ishrane", "Shërbime ushqimi", "", "other", 1),
               P("Roštilj", "Skarë", "", "kg", 6000),
               P("Pica", "Pica", "", "piece", 8000),
               P("Ketering", "Katering", "", "other", 1),
           ), goods=False, licence=True, size=1.3, local={_MITR: 1.3, _ZUB: 1.2}),
    Sector("56.30", 3.0, ("Kafe bar", "Kafić"), ("Kafe bar", "Kafiteri"),
           "Caffe", "UR", (
               P("Ugostiteljske usluge (pića)", "Shërbime pijesh", "", "other", 1),
               P("Kafa", "Kafe", "", "other", 1),
           ), goods=False, licence=True, local={_MITR: 1.5}),
    # Other services
    Sector("45.20", 3.0, ("Auto-servis", "Vulkanizer", "Auto-limar"),
           ("Auto servis", "Vullkanizer"), "Auto", "SZR", (
               P("Servis vozila", "Servisim automjetesh", "", "hour", 1800),
               P("Vulkanizerske usluge", "Vullkanizim", "", "piece", 2500),
               P("Auto-limarski radovi", "Llamarinë automjetesh", "", "hour", 900),
           ), goods=False, env=True),
    Sector("96.02", 3.0, ("Frizerski salon", "Salon lepote", "Berbernica"),
           ("Sallon floku", "Berber"), "Style", "SZR", (
               P("Frizerske usluge", "Shërbime floktarie", "", "hour", 1800),
               P("Kozmetičke usluge", "Shërbime kozmetike", "", "hour", 600),
           ), goods=False, local={_MITR: 1.4}),
    Sector("69.20", 1.0, ("Knjigovodstvena agencija", "Računovodstvo"),
           ("Zyrë kontabiliteti", "Kontabilitet"), "Biro", "SZR", (
               P("Knjigovodstvene usluge", "Shërbime kontabiliteti", "", "hour", 1600),
               P("Poresko savetovanje", "Këshillim tatimor", "", "hour", 300),
           ), goods=False, licence=True, local={_MITR: 1.5}),
    Sector("62.01", 0.6, ("IT studio", "Web studio"), ("Studio IT", "Web"),
           "Net", "SZR", (
               P("Izrada web sajtova", "Zhvillim faqesh web", "", "hour", 1200),
               P("Održavanje računara", "Mirëmbajtje kompjuterësh", "", "hour", 800),
           ), goods=False, local={_MITR: 2.0}),
    Sector("86.23", 0.6, ("Stomatološka ordinacija",), ("Ordinancë stomatologjike",),
           "Dent", "ZR", (
               P("Stomatološke usluge", "Shërbime stomatologjike", "", "hour", 1500),
           ), goods=False, licence=True, local={_MITR: 1.8}),
)
"""Sectors in no particular order; ``weight`` is the share of the survey before local tilts."""

SERVICE_LIKE = frozenset(s.nace for s in SECTORS if not s.goods)
