"""Every table a department maintains, declared once: the exchange format.

Import, export, templates, validation, forms and the table editor all read these specs, so a
column's type, range, reference and Chinese header are written in exactly one place.

    >>> spec("orders").table, spec("orders").key
    ('order_lines', ('order', 'line'))
    >>> spec("work_centers").column("efficiency").label("zh")
    '效率'

Exchange columns usually carry the database column's name. The exceptions (DESIGN.md →
Exchange format, and the schema):
* `orders` is table order_lines; its `order`/`line` are order_no/line_no. line_id is a surrogate
  that imports never show: rows are matched on order + line. A changed promised_date appends a
  promise_history row (source 'import').
* `purchase_orders.received_qty / received_date` are not stored on the PO: they are the sum and
  the last date of its `receipts` (view purchase_order_status). An import whose received_qty is
  more than the receipts add up to writes ONE adjusting receipt of the difference dated
  received_date; a smaller received_qty is refused (a receipt is undone in the receipts table).
* complaints, order_changes and shipments point at an order line with `order` + `line`.
* Tables with a surrogate id (shipments, order_changes, variance_notes, downtime, receipts,
  inspections, improvements) carry the id as an optional column: a row with an id updates that
  record; a row without one is new, unless an identical record already exists (so importing
  the same file twice adds nothing).
* calendar.work_center blank means every work center ('').
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.departments import CAUSES, owner_of

QTY_MAX = 1e8        # larger than any real quantity: an "absurd" value is refused
PRICE_MAX = 1e9
DAYS_MAX = 3650


@dataclass(frozen=True)
class Col:
    """One exchange column."""
    name: str
    kind: str = "text"                 # text, int, num, date, choice, bool
    required: bool = False
    zh: str = ""                       # the Chinese header shown in templates (also accepted)
    aliases: tuple[str, ...] = ()      # other accepted headers (Chinese ERP spellings)
    db: str | None = None              # the database column, when it differs from name
    min: float | None = None
    min_open: bool = False             # True: value must be > min (not >=)
    max: float | None = None
    choices: tuple[str, ...] = ()
    ref: tuple[str, str] | None = None  # (table, column) the value must exist in
    default: object = None             # used for a blank cell
    virtual: bool = False              # not a column of the table (see purchase_orders)
    editable: bool = True

    @property
    def column(self) -> str:
        return self.db or self.name

    def label(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" and self.zh else self.name

    def headers(self) -> tuple[str, ...]:
        return (self.name,) + ((self.zh,) if self.zh else ()) + self.aliases


@dataclass(frozen=True)
class Rule:
    """A check across columns, as SQL over the typed exchange columns: rows where `ok` is
    false are refused with message key `io.rule.<name>` on `column`."""
    name: str
    column: str
    ok: str


@dataclass(frozen=True)
class TableSpec:
    name: str                          # exchange name (file / template name)
    table: str                         # database table
    columns: tuple[Col, ...]
    key: tuple[str, ...]               # exchange columns that identify a row
    id: str | None = None              # surrogate id column (exchange name = db name)
    sequence: str | None = None        # its sequence
    rules: tuple[Rule, ...] = ()
    line_ref: bool = False             # order + line resolve to order_lines.line_id
    zh: str = ""
    export_sql: str | None = None      # how export reads it, when not simply the table
    order_by: str = ""

    @property
    def department(self) -> str:
        return owner_of(self.table)

    def column(self, name: str) -> Col:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Columns a file must have (required and without a default); an id is never required."""
        return [c.name for c in self.columns if c.required and c.default is None]

    def title(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" and self.zh else self.name


# ---------------------------------------------------------------------------- column helpers

def text(name, zh="", required=False, **kw) -> Col:
    return Col(name, "text", required, zh, **kw)


def num(name, zh="", required=False, min=0.0, max=QTY_MAX, **kw) -> Col:
    return Col(name, "num", required, zh, min=min, max=max, **kw)


def integer(name, zh="", required=False, min=0, max=1_000_000, **kw) -> Col:
    return Col(name, "int", required, zh, min=min, max=max, **kw)


def day(name, zh="", required=False, **kw) -> Col:
    return Col(name, "date", required, zh, **kw)


def choice(name, choices, zh="", required=False, **kw) -> Col:
    return Col(name, "choice", required, zh, choices=tuple(choices), **kw)


def ref(name, table, column=None, zh="", required=False, **kw) -> Col:
    return Col(name, "text", required, zh, ref=(table, column or name), **kw)


def _id(name, zh) -> Col:
    return Col(name, "int", False, zh, min=1, max=None, min_open=False, editable=False)


STATUS3 = ("open", "closed", "cancelled")


def _order_ref(required: bool) -> tuple[Col, ...]:
    return (text("order", "订单号", required=required, aliases=("订单", "订单编号", "order_no")),
            integer("line", "行号", required=required, min=1, aliases=("订单行", "行", "line_no")))


SPECS: tuple[TableSpec, ...] = (
    # ------------------------------------------------------------ PMC
    TableSpec("work_centers", "work_centers", (
        text("work_center", "工作中心", True, aliases=("工作中心代码", "机台")),
        text("name", "名称", True, aliases=("工作中心名称",)),
        text("line", "产线", True, aliases=("生产线", "线别")),
        num("hours_per_day", "每日工时", True, max=24),
        num("efficiency", "效率", min=0, min_open=True, max=1, default=1.0),
    ), ("work_center",), zh="工作中心"),
    TableSpec("calendar", "calendar", (
        day("date", "日期", True),
        ref("work_center", "work_centers", zh="工作中心", default=""),
        num("hours", "工时", True, max=24),
        text("reason", "原因", aliases=("备注",)),
    ), ("date", "work_center"), zh="工厂日历"),
    TableSpec("production_plan", "production_plan", (
        day("date", "日期", True),
        ref("work_center", "work_centers", zh="工作中心", required=True),
        ref("product", "products", zh="产品", required=True, aliases=("产品编码",)),
        num("qty", "计划数量", True, aliases=("数量",)),
    ), ("date", "work_center", "product"), zh="生产计划"),
    TableSpec("production_actual", "production_actual", (
        day("date", "日期", True),
        ref("work_center", "work_centers", zh="工作中心", required=True),
        ref("product", "products", zh="产品", required=True, aliases=("产品编码",)),
        num("qty_good", "良品数", True, aliases=("实际数量", "数量")),
        num("qty_scrap", "报废数", default=0.0),
        num("hours_worked", "实际工时", default=0.0, max=1e6),
    ), ("date", "work_center", "product"), zh="生产实绩"),
    TableSpec("operations", "order_operations", (
        *_order_ref(True),
        integer("step", "工序", True, min=1, aliases=("工序号", "工步")),
        num("qty_done", "已完成数量", True, aliases=("完成数量", "完工数量")),
    ), ("order", "line", "step"), line_ref=True, zh="工序进度",
        export_sql="SELECT o.order_no AS \"order\", o.line_no AS line, x.step, x.qty_done "
                   "FROM order_operations x JOIN order_lines o USING (line_id)",
        order_by="\"order\", line, step"),
    TableSpec("variance_notes", "variance_notes", (
        _id("note_id", "编号"),
        day("period_start", "期间起", True),
        day("period_end", "期间止", True),
        text("line", "产线"),
        ref("work_center", "work_centers", zh="工作中心"),
        ref("product", "products", zh="产品"),
        choice("direction", ("behind", "ahead"), "方向", default="behind"),
        choice("cause_category", CAUSES, "原因类别", True, aliases=("原因分类",)),
        text("description", "差异原因", True, aliases=("原因", "说明")),
        num("qty_impact", "影响数量"),
        text("countermeasure", "对策"),
        text("owner", "责任人"),
        day("due_date", "完成期限"),
        choice("status", ("open", "done"), "状态", default="open"),
    ), ("note_id",), id="note_id", sequence="seq_variance",
        rules=(Rule("period", "period_end", "period_end >= period_start"),), zh="差异原因与对策"),
    TableSpec("downtime", "downtime", (
        _id("downtime_id", "编号"),
        day("date", "日期", True),
        ref("work_center", "work_centers", zh="工作中心", required=True),
        num("hours", "停机工时", True, min=0, min_open=True, max=24),
        choice("cause_category", CAUSES, "原因类别", True),
        text("reason", "原因"),
        ref("material", "materials", zh="物料"),
    ), ("downtime_id",), id="downtime_id", sequence="seq_downtime", zh="停机记录"),
    # ------------------------------------------------------------ engineering
    TableSpec("products", "products", (
        text("product", "产品", True, aliases=("产品编码", "产品代码", "品号")),
        text("name", "名称", True, aliases=("产品名称", "品名")),
        text("family", "产品系列", True, aliases=("系列",)),
        text("unit", "单位", default="pcs"),
        num("unit_price", "单价", max=PRICE_MAX),
    ), ("product",), zh="产品"),
    TableSpec("routings", "routings", (
        ref("product", "products", zh="产品", required=True, aliases=("产品编码",)),
        integer("step", "工序", True, min=1, aliases=("工序号", "序号")),
        ref("work_center", "work_centers", zh="工作中心", required=True),
        num("setup_hours", "准备工时", default=0.0, max=1e4),
        num("run_hours_per_unit", "单件工时", True, max=1e4),
        integer("lead_days", "周期天数", default=1, max=DAYS_MAX),
    ), ("product", "step"), zh="工艺路线"),
    TableSpec("bom", "bom", (
        ref("product", "products", zh="产品", required=True, aliases=("产品编码", "父件")),
        ref("material", "materials", zh="物料", required=True, aliases=("物料编码", "子件")),
        num("qty_per", "单位用量", True, min=0, min_open=True, aliases=("用量",)),
    ), ("product", "material"), zh="物料清单 BOM"),
    TableSpec("npi_projects", "npi_projects", (
        text("project", "项目", True, aliases=("项目编号",)),
        text("name", "项目名称", True),
        ref("product", "products", zh="产品"),
        ref("customer", "customers", zh="客户"),
        text("owner", "负责人"),
        day("start_date", "开始日期", True),
        day("target_date", "目标日期", True),
        choice("status", ("active", "on_hold", "done", "cancelled"), "状态", default="active"),
    ), ("project",), rules=(Rule("target", "target_date", "target_date >= start_date"),), zh="新产品项目"),
    TableSpec("npi_milestones", "npi_milestones", (
        ref("project", "npi_projects", zh="项目", required=True),
        integer("seq", "序号", True, min=1),
        text("milestone", "里程碑", True),
        day("planned_date", "计划日期", True),
        day("actual_date", "实际日期"),
        text("owner", "负责人"),
    ), ("project", "seq"), zh="新产品里程碑"),
    TableSpec("drawings", "drawings", (
        text("drawing", "图号", True),
        text("revision", "版本", True),
        text("title", "图名"),
        ref("product", "products", zh="产品"),
        ref("project", "npi_projects", zh="项目"),
        day("planned_release", "计划发行日", True),
        day("actual_release", "实际发行日"),
        text("owner", "负责人"),
    ), ("drawing", "revision"), zh="图纸发行"),
    TableSpec("engineering_changes", "engineering_changes", (
        text("ecn", "变更单号", True, aliases=("ECN",)),
        text("title", "标题", True),
        text("description", "变更内容"),
        text("reason", "原因"),
        day("created_date", "提出日期", True),
        day("effective_date", "生效日期", True),
        choice("status", ("open", "approved", "implemented", "cancelled"), "状态", default="open"),
        text("owner", "负责人"),
    ), ("ecn",), rules=(Rule("effective", "effective_date", "effective_date >= created_date"),), zh="工程变更"),
    TableSpec("improvements", "improvements", (
        _id("improvement_id", "编号"),
        text("title", "改善项目", True),
        choice("kind", ("method", "process"), "类别", True),
        ref("work_center", "work_centers", zh="工作中心"),
        text("owner", "负责人"),
        choice("status", ("idea", "in_progress", "done", "dropped"), "状态", default="idea"),
        day("start_date", "开始日期"),
        day("due_date", "计划完成"),
        day("done_date", "完成日期"),
        num("expected_hours_saved", "预计节省工时/月", max=1e6),
        num("actual_hours_saved", "实际节省工时/月", max=1e6),
    ), ("improvement_id",), id="improvement_id", sequence="seq_improvement", zh="工艺改善"),
    # ------------------------------------------------------------ purchasing
    TableSpec("suppliers", "suppliers", (
        text("supplier", "供应商", True, aliases=("供应商编码", "供应商代码")),
        text("name", "名称", True, aliases=("供应商名称",)),
    ), ("supplier",), zh="供应商"),
    TableSpec("materials", "materials", (
        text("material", "物料", True, aliases=("物料编码", "料号")),
        text("name", "名称", True, aliases=("物料名称", "品名")),
        text("unit", "单位", default="pcs"),
        integer("lead_days", "采购周期", default=0, max=DAYS_MAX, aliases=("采购提前期",)),
        num("std_price", "标准单价", default=0.0, max=PRICE_MAX, aliases=("标准价",)),
        ref("supplier", "suppliers", zh="供应商", aliases=("默认供应商",)),
    ), ("material",), zh="物料"),
    TableSpec("inventory", "inventory", (
        ref("material", "materials", zh="物料", required=True, aliases=("物料编码", "料号")),
        num("on_hand", "库存", True, aliases=("现存量", "库存数量")),
        num("on_hold", "冻结数量", default=0.0),
    ), ("material",), zh="库存"),
    TableSpec("purchase_orders", "purchase_orders", (
        text("po", "采购单号", True, aliases=("采购订单", "PO")),
        ref("supplier", "suppliers", zh="供应商", required=True),
        ref("material", "materials", zh="物料", required=True, aliases=("物料编码",)),
        num("qty", "采购数量", True, min=0, min_open=True, aliases=("数量",)),
        day("order_date", "下单日期", True),
        day("due_date", "交货日期", True, aliases=("交期",)),
        num("received_qty", "已到货数量", default=0.0, virtual=True, editable=False),
        day("received_date", "到货日期", virtual=True, editable=False),
        num("unit_price", "单价", True, max=PRICE_MAX),
        choice("status", STATUS3, "状态", default="open"),
    ), ("po",), rules=(Rule("po_due", "due_date", "due_date >= order_date"),
                       Rule("received_date", "received_date",
                            "coalesce(received_qty, 0) = 0 OR received_date IS NOT NULL")),
        zh="采购订单",
        export_sql="SELECT po, supplier, material, qty, order_date, due_date, received_qty, received_date, "
                   "unit_price, status FROM purchase_order_status"),
    TableSpec("receipts", "receipts", (
        _id("receipt_id", "编号"),
        ref("po", "purchase_orders", zh="采购单号", required=True),
        day("receipt_date", "到货日期", True),
        num("qty", "到货数量", True, min=0, min_open=True, aliases=("数量",)),
    ), ("receipt_id",), id="receipt_id", sequence="seq_receipt", zh="到货记录"),
    TableSpec("price_history", "price_history", (
        ref("material", "materials", zh="物料", required=True),
        ref("supplier", "suppliers", zh="供应商", required=True),
        day("date", "日期", True),
        num("unit_price", "单价", True, max=PRICE_MAX),
    ), ("material", "supplier", "date"), zh="价格记录"),
    # ------------------------------------------------------------ quality
    TableSpec("inspections", "inspections", (
        _id("inspection_id", "编号"),
        day("date", "日期", True),
        choice("stage", ("incoming", "in_process", "final"), "检验类别", True),
        ref("supplier", "suppliers", zh="供应商"),
        ref("material", "materials", zh="物料"),
        ref("po", "purchase_orders", zh="采购单号"),
        text("line", "产线"),
        ref("work_center", "work_centers", zh="工作中心"),
        ref("product", "products", zh="产品"),
        text("lot", "批号"),
        num("qty_inspected", "检验数量", True, min=0, min_open=True),
        num("qty_defective", "不良数量", default=0.0),
        text("defect_type", "不良类型"),
        choice("result", ("pending", "pass", "fail", "hold"), "判定", True, aliases=("结果",)),
        Col("first_pass", "bool", False, "首次检验", default=True),
        text("inspector", "检验员"),
    ), ("inspection_id",), id="inspection_id", sequence="seq_inspection",
        rules=(Rule("defective", "qty_defective", "qty_defective <= qty_inspected"),
               Rule("incoming_material", "material", "stage <> 'incoming' OR material IS NOT NULL"),
               Rule("line_needed", "line", "stage = 'incoming' OR line IS NOT NULL")), zh="检验记录"),
    # ------------------------------------------------------------ sales
    TableSpec("customers", "customers", (
        text("customer", "客户", True, aliases=("客户编码", "客户代码")),
        text("name", "名称", True, aliases=("客户名称",)),
    ), ("customer",), zh="客户"),
    TableSpec("orders", "order_lines", (
        text("order", "订单号", True, db="order_no", aliases=("订单", "订单编号", "order_no")),
        integer("line", "行号", True, min=1, db="line_no", aliases=("订单行", "line_no")),
        ref("customer", "customers", zh="客户", required=True),
        ref("product", "products", zh="产品", required=True, aliases=("产品编码",)),
        num("qty", "数量", True, min=0, min_open=True, aliases=("订单数量",)),
        num("unit_price", "单价", max=PRICE_MAX),
        day("order_date", "下单日期", True, aliases=("订单日期",)),
        day("requested_date", "客户要求交期", True, aliases=("要求交期", "需求日期")),
        day("promised_date", "交期", aliases=("承诺交期", "回复交期")),
        num("shipped_qty", "已出货数量", default=0.0, aliases=("已发货数量",)),
        choice("status", STATUS3, "状态", default="open"),
    ), ("order", "line"), id="line_id", sequence="seq_line_id",
        rules=(Rule("requested", "requested_date", "requested_date >= order_date"),
               Rule("promised", "promised_date", "promised_date IS NULL OR promised_date >= order_date")),
        zh="订单",
        export_sql="SELECT order_no AS \"order\", line_no AS line, customer, product, qty, unit_price, "
                   "order_date, requested_date, promised_date, shipped_qty, status FROM order_lines",
        order_by="\"order\", line"),
    TableSpec("order_changes", "order_changes", (
        _id("change_id", "编号"), *_order_ref(True),
        choice("source", ("external", "internal"), "来源", True),
        choice("kind", ("qty", "date", "spec", "cancel", "material", "machine", "engineering", "other"),
               "变更类型", True),
        text("old_value", "原值"),
        text("new_value", "新值"),
        text("reason", "原因"),
        day("requested_date", "提出日期", True),
        choice("status", ("open", "accepted", "rejected", "done"), "状态", default="open"),
        num("load_impact_hours", "负荷影响工时", min=-1e7, max=1e7),
        text("created_by", "登记人"),
    ), ("change_id",), id="change_id", sequence="seq_change", line_ref=True, zh="订单变更"),
    TableSpec("shipments", "shipments", (
        _id("shipment_id", "编号"), *_order_ref(True),
        day("ship_date", "出货日期", True),
        num("qty", "出货数量", True, min=0, min_open=True, aliases=("数量",)),
    ), ("shipment_id",), id="shipment_id", sequence="seq_shipment", line_ref=True, zh="出货记录"),
    TableSpec("complaints", "complaints", (
        text("complaint", "客诉编号", True),
        ref("customer", "customers", zh="客户", required=True),
        *_order_ref(False),
        ref("product", "products", zh="产品"),
        day("received_date", "接收日期", True),
        choice("category", ("quality", "delivery", "packaging", "service", "documentation"), "类别", True),
        text("description", "问题描述", True),
        choice("cause_category", CAUSES, "原因类别"),
        choice("severity", ("minor", "major", "critical"), "严重度", default="minor"),
        integer("d8_step", "8D 步骤", default=0, max=8),
        choice("status", ("open", "in_progress", "closed"), "状态", default="open"),
        text("owner", "负责人"),
        day("closed_date", "结案日期"),
    ), ("complaint",), line_ref=True,
        rules=(Rule("closed_after", "closed_date", "closed_date IS NULL OR closed_date >= received_date"),
               Rule("closed_needs_date", "closed_date", "status <> 'closed' OR closed_date IS NOT NULL")),
        zh="客诉"),
)

_BY_NAME = {s.name: s for s in SPECS}


# ---------------------------------------------------------------------------- choice values in words
# A choice column stores a code ('in_process'); people read and write it in words. Its words are
# the catalogue's: cause categories are cause.<code> (人 机 料 法 环 测), every other choice is
# io.value.<code>. A file or a form may give the code, either language's words, or one of these
# other spellings in use on the shop floor (an ERP's export, a QC sheet):
CHOICE_ALIASES: dict[str, tuple[str, ...]] = {
    "incoming": ("来料", "进料检验", "IQC"), "in_process": ("制程", "过程检验", "IPQC"),
    "final": ("成品", "最终检验", "出货检验", "FQC", "OQC"),
    "pass": ("OK", "通过", "允收"), "fail": ("NG", "拒收", "判退"), "hold": ("待定", "冻结"), "pending": ("待检",),
    "open": ("打开", "未完成", "未结案"), "closed": ("关闭", "结案", "已结案"), "cancelled": ("canceled", "取消"),
    "done": ("完成",), "in_progress": ("进行中",), "approved": ("批准",), "implemented": ("实施",),
    "rejected": ("拒绝",), "accepted": ("接受",), "on_hold": ("搁置",),
    "external": ("外部", "客户"), "internal": ("内部",), "behind": ("落后",), "ahead": ("超前",),
    "man": ("人员",), "machine": ("机器", "设备"), "material": ("物料", "材料"), "method": ("方法",),
    "environment": ("环境",), "measurement": ("测量",),
    "minor": ("一般",), "critical": ("紧急",),
}


def choice_key(c: Col, value: str) -> str:
    """The catalogue key of a stored choice value's words.

    >>> choice_key(spec("inspections").column("stage"), "in_process")
    'io.value.in_process'
    >>> choice_key(spec("downtime").column("cause_category"), "machine")
    'cause.machine'
    """
    return f"cause.{value}" if c.choices == CAUSES else f"io.value.{value}"


def choice_label(c: Col, value, lang: str | None = None) -> str:
    """A stored choice value in words in `lang` (the current language by default); a blank as '',
    a value the column does not offer as it is.

    >>> choice_label(spec("inspections").column("result"), "pass", "zh")
    '合格'
    """
    from lib.i18n import CATALOGS, t
    if value is None or value == "":
        return ""
    key = choice_key(c, str(value))
    return t(key, lang) if key in CATALOGS["en"] else str(value)


def choice_spellings(c: Col) -> dict[str, str]:
    """Every accepted spelling of choice column `c`'s values, lower-cased, and the code it means:
    the code (also with a space or a hyphen for its underscore), its words in English and in
    Chinese, and CHOICE_ALIASES.

    >>> sp = choice_spellings(spec("inspections").column("stage"))
    >>> sp["in_process"], sp["in-process"], sp["制程检验"], sp["来料"], sp["final"]
    ('in_process', 'in_process', 'in_process', 'incoming', 'final')
    """
    from lib.i18n import CATALOGS
    out: dict[str, str] = {}
    for code in c.choices:
        key = choice_key(c, code)
        words = [code, code.replace("_", " "), code.replace("_", "-"),
                 *(CATALOGS[lang].get(key, code) for lang in ("en", "zh")), *CHOICE_ALIASES.get(code, ())]
        for w in words:
            out.setdefault(w.strip().lower(), code)
    return out


def spec(name: str) -> TableSpec:
    """The spec of exchange table `name` (also accepts the database table name)."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    for s in SPECS:
        if s.table == name:
            return s
    from lib.errors import ValidationError
    raise ValidationError(f"{name!r} is not a table that can be imported or exported; "
                          f"choose one of: {', '.join(_BY_NAME)}.", title="Unknown table")


def names() -> list[str]:
    return list(_BY_NAME)


def for_department(department: str) -> list[TableSpec]:
    """The tables `department` maintains, in declaration order."""
    return [s for s in SPECS if s.department == department]
