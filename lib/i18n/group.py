"""The group overview: several plants side by side."""

PREFIXES = ('group.',)

EN = {
    "group.page": "Group: all plants",
    "group.title": "Group: all plants",
    "group.subtitle": "Each plant's headline numbers side by side, {start} to {end}; each computed on its own plant's data.",
    "group.current": "{plant} (this plant)",
    "group.one_plant": "This database holds one plant. Several plants share one PostgreSQL database, one schema each (TANDEM_PLANT): see the README.",
    "group.no_account": "You have no account in this plant; its figures are shown to its own users.",
    "group.link": "All plants of the group",
    "group.loading": "Reading every plant's data (the first time takes a while per plant)…",
    "group.unreadable": "This plant cannot be read here: {detail}",
}

ZH = {
    "group.page": "集团:全部工厂",
    "group.title": "集团:全部工厂",
    "group.subtitle": "各工厂关键数字并列,{start} 至 {end};每个数字都按该工厂自己的数据计算。",
    "group.current": "{plant}(本厂)",
    "group.one_plant": "本数据库只有一个工厂。多个工厂可共用一个 PostgreSQL 数据库,每厂一个模式(TANDEM_PLANT),见 README。",
    "group.no_account": "您在该工厂没有账号;其数字只向该厂用户显示。",
    "group.link": "集团全部工厂",
    "group.loading": "正在读取各工厂数据(首次打开每个工厂需要一些时间)……",
    "group.unreadable": "此处无法读取该工厂:{detail}",
}
