"""Word lists for plausible demo names: people, villages and companies. Pure data and pure functions."""

from __future__ import annotations

import random

# Common surnames in Jiangxi, most frequent first; the weights fall off so 刘, 李 and 王 dominate.
SURNAMES = (
    "刘李王张陈黄杨吴周胡徐罗邓曾熊彭肖万付钟朱余何谢郭邹涂龚程廖赖袁叶江姚汪许聂饶游"
    "戴邱魏宋蔡孙梁温傅章欧陶康吕丁卢曹简严兰闵雷"
)
SURNAME_WEIGHTS = tuple(1.0 / (1 + i / 6) for i in range(len(SURNAMES)))

MALE_GIVEN = "建国华明军伟强平志勇文斌俊杰海波涛辉鹏飞林峰云龙宏亮超刚磊晨鑫浩宇兵春生荣根发金水德才"
FEMALE_GIVEN = "秀英兰芳丽娟红梅玲霞敏燕琴萍婷静慧娜雪莉艳凤琳洁颖倩翠云春桂珍瑶思雨欣悦佳月"

# Village names are a first syllable (direction, shape of the land, a tree or a family name) and a
# second one naming the place (村 is added by the caller): 樟树, 上坪, 石桥, 黄泥 ...
VILLAGE_FIRST = (
    "东西南北上下大小新老高长石黄白青红金银龙凤鹤马牛樟枫松竹桃梅杨李刘胡陈罗谢"
    "安和平丰兴福寿永仁义太中前后横岭塘田湖"
)
VILLAGE_SECOND = "坑岭坪田湾冲山溪源口陂洲塘桥埠垄家庄岗背头坊圩岸港湖树林园里坝畈铺坳"

COMPANY_WORDS = (
    "康源",
    "仁和",
    "济民",
    "恒康",
    "天成",
    "华康",
    "博爱",
    "润泽",
    "万寿",
    "百草",
    "德仁",
    "安泰",
    "瑞康",
    "济世",
    "永康",
    "福康",
    "益民",
    "长青",
    "明德",
    "和顺",
    "惠民",
    "宏达",
    "鑫源",
    "信诚",
    "佳美",
    "泰安",
    "嘉禾",
    "庆丰",
    "景和",
    "洪都",
    "赣江",
    "庐山",
    "井冈",
    "武功",
    "赣鄱",
    "章贡",
    "红谷",
    "青云",
    "三清",
    "龙虎",
    "鄱阳",
    "滕王",
    "怡康",
    "泰和",
    "丰源",
    "汇通",
    "众康",
    "安和",
)


def person_name(rng: random.Random, *, male: bool) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    pool = MALE_GIVEN if male else FEMALE_GIVEN
    length = 2 if rng.random() < 0.75 else 1
    return surname + "".join(rng.choice(pool) for _ in range(length))


def village_names(rng: random.Random, count: int) -> list[str]:
    """`count` different village names (without 村), in the order drawn."""
    names: list[str] = []
    taken: set[str] = set()
    while len(names) < count:
        name = rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_SECOND)
        if name[0] != name[1] and name not in taken:
            taken.add(name)
            names.append(name)
    return names
