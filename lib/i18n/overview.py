"""The Overview page."""

PREFIXES = ('overview.',)

EN = {
    # overview
    "overview.title": "Overview",
    "overview.subtitle": "The numbers the coordination meeting opens with, {start} to {end}.",
    "overview.readiness": "Meeting readiness",
    "overview.readiness.help": "When each department last brought its section up to date. Sections older than {days} days are stale.",
    "overview.section": "Section",
    "overview.updated_at": "Last updated",
    "overview.updated_by": "By",
    "overview.state": "State",
    "overview.fresh": "up to date",
    "overview.stale": "stale",
    "overview.never": "never updated",
    "overview.days_ago": "{n} days ago",
    "overview.days_ago.one": "1 day ago",
    "overview.today": "today",
    "overview.sections": "Each section's headline",
    "overview.sections.help": "The headline KPI of each meeting section, side by side; the formula is in each tile's hover.",
}

ZH = {
    "overview.title": "总览",
    "overview.subtitle": "产销协调会开场的关键数字,{start} 至 {end}。",
    "overview.readiness": "会前准备情况",
    "overview.readiness.help": "各部门最近一次更新本部门数据的时间。超过 {days} 天未更新视为过期。",
    "overview.section": "部门",
    "overview.updated_at": "最近更新",
    "overview.updated_by": "更新人",
    "overview.state": "状态",
    "overview.fresh": "已更新",
    "overview.stale": "过期",
    "overview.never": "从未更新",
    "overview.days_ago": "{n} 天前",
    "overview.days_ago.one": "昨天",
    "overview.today": "今天",
    "overview.sections": "各部门关键指标",
    "overview.sections.help": "会议各议程部门的关键指标并排显示;公式见各指标卡的悬停提示。",
}
