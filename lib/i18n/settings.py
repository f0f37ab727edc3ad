"""The Settings page."""

PREFIXES = ('settings.',)

EN = {
    "settings.title": "Settings",
    "settings.subtitle": "Targets and working rules a manager can change. Every change is audited.",
    "settings.targets": "KPI targets",
    "settings.rules": "Working rules",
    "settings.pct_note": "Shares are entered in percent.",
    "settings.env_locked": "Fixed by the server's environment variable {env}; change it there.",
    "settings.bad_weekdays": "Working weekdays must be numbers 1 to 7 separated by commas, e.g. 1,2,3,4,5.",
}

ZH = {
    "settings.title": "参数设置",
    "settings.subtitle": "主管可修改的目标值和工作规则。每次修改都会记录审计日志。",
    "settings.targets": "KPI 目标值",
    "settings.rules": "工作规则",
    "settings.pct_note": "比例以百分数输入。",
    "settings.env_locked": "已由服务器环境变量 {env} 固定,请在服务器上修改。",
    "settings.bad_weekdays": "工作日须为 1 到 7 的数字,用逗号分隔,例如 1,2,3,4,5。",
}
