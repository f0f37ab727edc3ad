"""Presenter mode's department section views (lib.ui.presenter)."""

PREFIXES = ('presenter.',)

EN = {
    "presenter.more": "+{n} more on the section page",
    "presenter.fpy_stage": "First-pass yield by line · {stage}",
    "presenter.drawings_open": "Drawings not yet released: {n}, of which {late} overdue",
    "presenter.drawings_none": "Every drawing due is released.",
    "presenter.npi_open": "New products: milestones not yet met",
    "presenter.npi_all_met": "Every NPI milestone of the period is met.",
}

ZH = {
    "presenter.more": "另有 {n} 条，详见部门页面",
    "presenter.fpy_stage": "各产线一次合格率 · {stage}",
    "presenter.drawings_open": "未发行图纸 {n} 份，其中逾期 {late} 份",
    "presenter.drawings_none": "应发行的图纸均已发行。",
    "presenter.npi_open": "新产品开发：未完成的里程碑",
    "presenter.npi_all_met": "本期新产品里程碑均已完成。",
}
