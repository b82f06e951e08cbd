"""Realistic generated list entries that pad the real ones to ~2,400 rows (deterministic)."""

from __future__ import annotations

import random

ROOTS = (
    "Спец Пром Тех Урал Сиб Волго Дон Энерго Радио Авиа Авто Нефте Газ Мет Строй Агро Транс Электро "
    "Гидро Термо Оптик Лазер Навиг Мор Речь Сев Юг Вост Зап Кам Ангар Байкал Енисей Кубань Тавр Крым "
    "Приор Вектор Сигма Дельта Омега Альфа Гамма Кварц Титан Ресурс Импульс Прогресс Восход Рассвет"
).split()
TAILS = (
    "комплект снаб сервис прибор маш техника систем пром строй инвест трейд лаб экспорт импорт логистик "
    "деталь компонент ресурс групп торг снабжение монтаж проект холдинг"
).split()
LEGAL = ["ООО", "АО", "ОАО", "ЗАО", "ПАО", "ООО НПП", "АО НПО", "ФГУП"]
CITIES = ["Москва", "Санкт-Петербург", "Екатеринбург", "Новосибирск", "Казань", "Тула", "Ижевск", "Нижний Новгород"]
GIVEN = [
    ("Александр", "Александрович"), ("Сергей", "Сергеевич"), ("Андрей", "Андреевич"), ("Дмитрий", "Дмитриевич"),
    ("Игорь", "Игоревич"), ("Олег", "Олегович"), ("Павел", "Павлович"), ("Николай", "Николаевич"),
    ("Владимир", "Владимирович"), ("Михаил", "Михайлович"), ("Евгений", "Евгеньевич"), ("Виктор", "Викторович"),
]  # fmt: skip
SURNAMES = (
    "Иванов Петров Смирнов Кузнецов Попов Лебедев Козлов Новиков Морозов Волков Соловьёв Васильев Зайцев "
    "Павлов Семёнов Голубев Виноградов Богданов Воробьёв Фёдоров Михайлов Беляев Тарасов Белов Комаров "
    "Орлов Киселёв Макаров Андреев Ковалёв Ильин Гусев Титов Кузьмин Кудрявцев Баранов Куликов Алексеев "
    "Степанов Яковенко Сорокин Сергеев Романов Захаров Борисов Королёв Герасимов Пономарёв Григорьев"
).split()
IRANIAN = (
    "Pars Kish Sepahan Arian Tadbir Farayand Pishgaman Sanat Tejarat Tavan Saberin Rahbar Mehr Nasr Fajr "
    "Zagros Alborz Karun Hormoz Sina Raad Toos Mobin Kavosh Pooya"
).split()


def _bgn(text: str) -> str:
    import icu

    return icu.Transliterator.createInstance("Russian-Latin/BGN; Latin-ASCII").transliterate(text)


def padding_entries(count: int, *, seed: int = 17) -> list[tuple]:
    rng = random.Random(seed)
    rows: list[tuple] = []
    seen: set[str] = set()
    while len(rows) < count:
        n = len(rows)
        kind = rng.random()
        if kind < 0.6:
            core = rng.choice(ROOTS) + rng.choice(TAILS)
            if rng.random() < 0.3:
                core += "-" + rng.choice(ROOTS).capitalize()
            legal = rng.choice(LEGAL)
            name = f"{legal} «{core.capitalize()}»"
            if rng.random() < 0.2:
                name += f" г. {rng.choice(CITIES)}"
            aliases = [_bgn(core.capitalize())]
            schema, countries = "Company", ["ru"]
        elif kind < 0.85:
            given, patronymic = rng.choice(GIVEN)
            surname = rng.choice(SURNAMES)
            name = f"{surname} {given} {patronymic}"
            aliases = [_bgn(f"{given} {patronymic} {surname}")]
            schema, countries = "Person", ["ru"]
        elif kind < 0.93:
            core = rng.choice(IRANIAN) + " " + rng.choice(IRANIAN)
            name = f"{core} {rng.choice(['Industrial Group', 'Trading Company', 'Engineering Co', 'Sanat Co'])}"
            aliases = []
            schema, countries = "Company", ["ir"]
        else:
            core = rng.choice(ROOTS) + rng.choice(TAILS)
            name = f"ОАО «{core.capitalize()}»"
            aliases = [_bgn(core.capitalize())]
            schema, countries = "Company", ["by"]
        if name in seen:
            continue
        seen.add(name)
        identifiers = [f"INN {rng.randrange(10**9, 10**10)}"] if rng.random() < 0.3 else []
        rows.append((f"ev-pad-{n}", schema, name, aliases, countries, identifiers))
    return rows
