"""Plotly's own words and date formats in the user's language.

Plotly writes date ticks and hovers ("Nov 8", "Nov 2026") and its toolbar tips ("Zoom", "Reset
axes") in English unless the chart's config names a registered locale. Streamlit's bundle
registers none but English, and plotly reads `config.locales` too, so the Chinese locale travels
with each chart's config: date ticks read 11月8日, 2026年11月, 2026年, hovers 2026年11月8日.
Only the formats and the tips a Tandem chart shows are given; plotly falls back to its English
defaults for the rest (number formats stay 1,234.5).

    >>> config({"displaylogo": False}, "en")
    {'displaylogo': False}
    >>> cfg = config({"displaylogo": False}, "zh"); cfg["locale"], cfg["locales"]["zh-CN"]["format"]["dayMonth"]
    ('zh-CN', '%-m月%-d日')
"""
from __future__ import annotations

from lib.i18n import get_lang

ZH_CN = {
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
        "shortMonths": [f"{m}月" for m in range(1, 13)],
        "periods": ["上午", "下午"],
        "date": "%Y-%m-%d",
        "time": "%H:%M:%S",
        "dateTime": "%Y-%m-%d %H:%M:%S",
        "year": "%Y年",
        "month": "%Y年%-m月",
        "dayMonth": "%-m月%-d日",
        "dayMonthYear": "%Y年%-m月%-d日",
    },
    # the toolbar's tips and plotly's own hover words
    "dictionary": {
        "Autoscale": "自动缩放", "Box Select": "框选", "Lasso Select": "套索选择", "Pan": "平移",
        "Zoom": "缩放", "Zoom in": "放大", "Zoom out": "缩小", "Reset axes": "复原坐标轴",
        "Reset view": "复原视图", "Reset views": "复原视图", "Reset": "复原",
        "Download plot as a png": "下载为 PNG 图片", "Download plot": "下载图表",
        "Compare data on hover": "悬停时比较数据", "Show closest data on hover": "悬停时显示最近的数据",
        "Toggle Spike Lines": "显示或隐藏辅助线", "Toggle show closest data on hover": "切换悬停显示方式",
        "Double-click to zoom back out": "双击复原", "Double-click on legend to isolate one trace": "双击图例只显示该项",
        "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
        "Snapshot succeeded": "图片已生成", "Sorry, there was a problem downloading your snapshot!": "抱歉，图片下载失败！",
        "Produced with Plotly.js": "由 Plotly.js 生成", "trace": "数据系列",
    },
}


def config(base: dict, lang: str | None = None) -> dict:
    """A chart's plotly config `base`, with the Chinese locale when the language is Chinese."""
    if (lang or get_lang()) != "zh":
        return base
    return {**base, "locale": "zh-CN", "locales": {"zh-CN": ZH_CN}}
