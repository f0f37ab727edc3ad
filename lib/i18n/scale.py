"""Texts for long lists on a large factory: how much of a list a screen shows."""

PREFIXES = ('scale.',)

EN = {
    "scale.first_rows": "Showing the first {shown:,} of {total:,} rows; the downloads have them all.",
    "scale.first_choices": "The list offers the first {shown:,} of {total:,} lines (pending first); open any other line from the Promise or Sales pages.",
    "scale.type_code": "Only the first {n:,} of a long list are offered: type any other code (an order line as SO-…/1) into its box.",
}

ZH = {
    "scale.first_rows": "显示前 {shown:,} 行，共 {total:,} 行；下载文件包含全部。",
    "scale.first_choices": "列表只列出前 {shown:,} 条（共 {total:,} 条，待评审的在前）；其他订单行可从交期承诺或销售页面打开。",
    "scale.type_code": "长列表只列出前 {n:,} 项：其他编号可直接在框中输入（订单行格式为 SO-…/1）。",
}
