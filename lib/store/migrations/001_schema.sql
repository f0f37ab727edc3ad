-- 001: the whole data model of DESIGN.md.
-- Codes (work_center, product, material, supplier, customer) are the business keys that ERP
-- exports carry; flows that many tables point at (order lines, actions, meetings) get a
-- surrogate integer id from a sequence.
--
-- FOREIGN KEY constraints are deliberately not declared: DuckDB refuses an upsert of a parent
-- row that is referenced (imports upsert master data by key) and FK checks make bulk inserts
-- about 4x slower. References are validated by the write path (imports, forms) and verified
-- by `python -m lib check`, which lists every orphan.
--
-- Enumerations used below:
--   department: sales, pmc, purchasing, quality, engineering
--   cause category (人机料法环测): man, machine, material, method, environment, measurement

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE settings (
    key        VARCHAR PRIMARY KEY,
    value      VARCHAR NOT NULL,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- ---------------------------------------------------------------- governance
CREATE TABLE users (
    username      VARCHAR PRIMARY KEY,
    display_name  VARCHAR NOT NULL,
    role          VARCHAR NOT NULL CHECK (role IN ('admin', 'chair', 'head', 'viewer', 'system')),
    department    VARCHAR CHECK (department IN ('sales', 'pmc', 'purchasing', 'quality', 'engineering')),
    email         VARCHAR,
    password_hash VARCHAR,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until  TIMESTAMP,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    CHECK (role <> 'head' OR department IS NOT NULL),
    CHECK (length(username) BETWEEN 1 AND 64)
);

CREATE SEQUENCE seq_audit START 1;
CREATE TABLE audit_log (
    audit_id    BIGINT PRIMARY KEY DEFAULT nextval('seq_audit'),
    logged_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username    VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,          -- insert, update, delete, login, login_failed, lockout, role_change, ...
    table_name  VARCHAR,
    row_key     VARCHAR,
    column_name VARCHAR,
    old_value   VARCHAR,
    new_value   VARCHAR,
    source      VARCHAR                    -- form, editor, import:<file>, cli, demo, what-if, ...
);

-- when and by whom each meeting section was last brought up to date (Overview readiness)
CREATE TABLE section_updates (
    section    VARCHAR PRIMARY KEY CHECK (section IN ('sales', 'pmc', 'purchasing', 'quality', 'engineering')),
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR NOT NULL,
    source     VARCHAR
);

-- ---------------------------------------------------------------- master data
CREATE TABLE work_centers (
    work_center   VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    line          VARCHAR NOT NULL,
    hours_per_day DOUBLE NOT NULL CHECK (hours_per_day >= 0 AND hours_per_day <= 24),
    efficiency    DOUBLE NOT NULL DEFAULT 1 CHECK (efficiency > 0 AND efficiency <= 1)
);

-- a row replaces that day's hours; work_center '' means every work center (a specific row wins)
CREATE TABLE calendar (
    date        DATE NOT NULL,
    work_center VARCHAR NOT NULL DEFAULT '',
    hours       DOUBLE NOT NULL CHECK (hours >= 0 AND hours <= 24),
    reason      VARCHAR,
    PRIMARY KEY (date, work_center)
);

CREATE TABLE products (
    product    VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    family     VARCHAR NOT NULL,
    unit       VARCHAR NOT NULL DEFAULT 'pcs',
    unit_price DOUBLE CHECK (unit_price >= 0)
);

CREATE TABLE routings (
    product            VARCHAR NOT NULL,
    step               INTEGER NOT NULL CHECK (step > 0),
    work_center        VARCHAR NOT NULL,
    setup_hours        DOUBLE NOT NULL DEFAULT 0 CHECK (setup_hours >= 0),
    run_hours_per_unit DOUBLE NOT NULL CHECK (run_hours_per_unit >= 0),
    lead_days          INTEGER NOT NULL DEFAULT 1 CHECK (lead_days >= 0),  -- engines use at least 1
    PRIMARY KEY (product, step)
);

CREATE TABLE suppliers (
    supplier VARCHAR PRIMARY KEY,
    name     VARCHAR NOT NULL
);

CREATE TABLE customers (
    customer VARCHAR PRIMARY KEY,
    name     VARCHAR NOT NULL
);

CREATE TABLE materials (
    material  VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL,
    unit      VARCHAR NOT NULL DEFAULT 'pcs',
    lead_days INTEGER NOT NULL DEFAULT 0 CHECK (lead_days >= 0),
    std_price DOUBLE NOT NULL DEFAULT 0 CHECK (std_price >= 0),
    supplier  VARCHAR
);

CREATE TABLE bom (
    product  VARCHAR NOT NULL,
    material VARCHAR NOT NULL,
    qty_per  DOUBLE NOT NULL CHECK (qty_per > 0),
    PRIMARY KEY (product, material)
);

CREATE TABLE inventory (
    material VARCHAR PRIMARY KEY,
    on_hand  DOUBLE NOT NULL CHECK (on_hand >= 0),
    on_hold  DOUBLE NOT NULL DEFAULT 0 CHECK (on_hold >= 0)   -- quarantined by quality, not usable
);

-- ---------------------------------------------------------------- orders and promises
CREATE SEQUENCE seq_line_id START 1;
CREATE TABLE order_lines (
    line_id        BIGINT PRIMARY KEY DEFAULT nextval('seq_line_id'),
    order_no       VARCHAR NOT NULL,
    line_no        INTEGER NOT NULL CHECK (line_no > 0),
    customer       VARCHAR NOT NULL,
    product        VARCHAR NOT NULL,
    qty            DOUBLE NOT NULL CHECK (qty > 0),
    unit_price     DOUBLE CHECK (unit_price >= 0),
    order_date     DATE NOT NULL,
    requested_date DATE NOT NULL,
    promised_date  DATE,                           -- latest committed date; NULL = not yet promised
    shipped_qty    DOUBLE NOT NULL DEFAULT 0 CHECK (shipped_qty >= 0),
    status         VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    review_status  VARCHAR NOT NULL DEFAULT 'none' CHECK (review_status IN ('none', 'pending', 'approved', 'issue')),
    UNIQUE (order_no, line_no),
    CHECK (requested_date >= order_date),
    CHECK (promised_date IS NULL OR promised_date >= order_date)
);

-- every date ever promised for a line; the first row is the original promise
CREATE SEQUENCE seq_promise START 1;
CREATE TABLE promise_history (
    promise_id    BIGINT PRIMARY KEY DEFAULT nextval('seq_promise'),
    line_id       BIGINT NOT NULL,
    promised_date DATE NOT NULL,
    promised_at   TIMESTAMP NOT NULL,
    promised_by   VARCHAR NOT NULL,
    source        VARCHAR NOT NULL CHECK (source IN ('ctp', 'review', 'override', 'change', 'import', 'manual')),
    reason        VARCHAR
);

-- order review (订单评审): one row per line x department x review round
CREATE TABLE order_reviews (
    line_id       BIGINT NOT NULL,
    round         INTEGER NOT NULL DEFAULT 1 CHECK (round > 0),
    department    VARCHAR NOT NULL CHECK (department IN ('sales', 'pmc', 'purchasing', 'quality', 'engineering')),
    status        VARCHAR NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ok', 'issue')),
    feasible_date DATE,
    comment       VARCHAR,
    signer        VARCHAR,
    signed_at     TIMESTAMP,
    opened_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (line_id, round, department),
    CHECK (status = 'pending' OR (signer IS NOT NULL AND signed_at IS NOT NULL)),
    CHECK (status <> 'issue' OR comment IS NOT NULL)
);

CREATE SEQUENCE seq_change START 1;
CREATE TABLE order_changes (
    change_id         BIGINT PRIMARY KEY DEFAULT nextval('seq_change'),
    line_id           BIGINT NOT NULL,
    source            VARCHAR NOT NULL CHECK (source IN ('external', 'internal')),
    kind              VARCHAR NOT NULL CHECK (kind IN ('qty', 'date', 'spec', 'cancel', 'material', 'machine', 'engineering', 'other')),
    old_value         VARCHAR,
    new_value         VARCHAR,
    reason            VARCHAR,
    requested_date    DATE NOT NULL,
    status            VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected', 'done')),
    load_impact_hours DOUBLE,                      -- + adds load, - frees load
    created_by        VARCHAR
);

CREATE SEQUENCE seq_shipment START 1;
CREATE TABLE shipments (
    shipment_id BIGINT PRIMARY KEY DEFAULT nextval('seq_shipment'),
    line_id     BIGINT NOT NULL,
    ship_date   DATE NOT NULL,
    qty         DOUBLE NOT NULL CHECK (qty > 0)
);

CREATE TABLE complaints (
    complaint      VARCHAR PRIMARY KEY,
    customer       VARCHAR NOT NULL,
    line_id        BIGINT,
    product        VARCHAR,
    received_date  DATE NOT NULL,
    category       VARCHAR NOT NULL CHECK (category IN ('quality', 'delivery', 'packaging', 'service', 'documentation')),
    description    VARCHAR NOT NULL,
    cause_category VARCHAR CHECK (cause_category IN ('man', 'machine', 'material', 'method', 'environment', 'measurement')),
    severity       VARCHAR NOT NULL DEFAULT 'minor' CHECK (severity IN ('minor', 'major', 'critical')),
    d8_step        INTEGER NOT NULL DEFAULT 0 CHECK (d8_step BETWEEN 0 AND 8),
    status         VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'closed')),
    owner          VARCHAR,
    closed_date    DATE,
    CHECK (closed_date IS NULL OR closed_date >= received_date),
    CHECK (status <> 'closed' OR closed_date IS NOT NULL)
);

-- ---------------------------------------------------------------- production
CREATE TABLE production_plan (
    date        DATE NOT NULL,
    work_center VARCHAR NOT NULL,
    product     VARCHAR NOT NULL,
    qty         DOUBLE NOT NULL CHECK (qty >= 0),
    PRIMARY KEY (date, work_center, product)
);

CREATE TABLE production_actual (
    date         DATE NOT NULL,
    work_center  VARCHAR NOT NULL,
    product      VARCHAR NOT NULL,
    qty_good     DOUBLE NOT NULL CHECK (qty_good >= 0),
    qty_scrap    DOUBLE NOT NULL DEFAULT 0 CHECK (qty_scrap >= 0),
    hours_worked DOUBLE NOT NULL DEFAULT 0 CHECK (hours_worked >= 0),
    PRIMARY KEY (date, work_center, product)
);

CREATE SEQUENCE seq_variance START 1;
CREATE TABLE variance_notes (
    note_id        BIGINT PRIMARY KEY DEFAULT nextval('seq_variance'),
    period_start   DATE NOT NULL,
    period_end     DATE NOT NULL,
    line           VARCHAR,
    work_center    VARCHAR,
    product        VARCHAR,
    direction      VARCHAR NOT NULL DEFAULT 'behind' CHECK (direction IN ('behind', 'ahead')),
    cause_category VARCHAR NOT NULL CHECK (cause_category IN ('man', 'machine', 'material', 'method', 'environment', 'measurement')),
    description    VARCHAR NOT NULL,
    qty_impact     DOUBLE CHECK (qty_impact >= 0),
    countermeasure VARCHAR,
    owner          VARCHAR,
    due_date       DATE,
    status         VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    CHECK (period_end >= period_start)
);

CREATE SEQUENCE seq_downtime START 1;
CREATE TABLE downtime (
    downtime_id    BIGINT PRIMARY KEY DEFAULT nextval('seq_downtime'),
    date           DATE NOT NULL,
    work_center    VARCHAR NOT NULL,
    hours          DOUBLE NOT NULL CHECK (hours > 0 AND hours <= 24),
    cause_category VARCHAR NOT NULL CHECK (cause_category IN ('man', 'machine', 'material', 'method', 'environment', 'measurement')),
    reason         VARCHAR,                        -- e.g. waiting for material M-0042
    material       VARCHAR
);

-- ---------------------------------------------------------------- purchasing
CREATE TABLE purchase_orders (
    po         VARCHAR PRIMARY KEY,
    supplier   VARCHAR NOT NULL,
    material   VARCHAR NOT NULL,
    qty        DOUBLE NOT NULL CHECK (qty > 0),
    order_date DATE NOT NULL,
    due_date   DATE NOT NULL,
    unit_price DOUBLE NOT NULL CHECK (unit_price >= 0),
    status     VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    CHECK (due_date >= order_date)
);

-- each goods receipt against a PO; received_qty / received_date of the exchange format are
-- the sum and the last date of these (view purchase_order_status)
CREATE SEQUENCE seq_receipt START 1;
CREATE TABLE receipts (
    receipt_id   BIGINT PRIMARY KEY DEFAULT nextval('seq_receipt'),
    po           VARCHAR NOT NULL,
    receipt_date DATE NOT NULL,
    qty          DOUBLE NOT NULL CHECK (qty > 0)
);

CREATE VIEW purchase_order_status AS
SELECT p.*,
       coalesce(r.received_qty, 0)                        AS received_qty,
       r.received_date,
       coalesce(r.received_by_due, 0)                     AS received_by_due_qty,
       greatest(p.qty - coalesce(r.received_qty, 0), 0)   AS open_qty
FROM purchase_orders p
LEFT JOIN (
    SELECT r.po, sum(r.qty) AS received_qty, max(r.receipt_date) AS received_date,
           sum(CASE WHEN r.receipt_date <= p2.due_date THEN r.qty ELSE 0 END) AS received_by_due
    FROM receipts r JOIN purchase_orders p2 USING (po)
    GROUP BY r.po
) r USING (po);

CREATE TABLE price_history (
    material   VARCHAR NOT NULL,
    supplier   VARCHAR NOT NULL,
    date       DATE NOT NULL,
    unit_price DOUBLE NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (material, supplier, date)
);

-- ---------------------------------------------------------------- quality
CREATE SEQUENCE seq_inspection START 1;
CREATE TABLE inspections (
    inspection_id BIGINT PRIMARY KEY DEFAULT nextval('seq_inspection'),
    date          DATE NOT NULL,
    stage         VARCHAR NOT NULL CHECK (stage IN ('incoming', 'in_process', 'final')),
    supplier      VARCHAR,                         -- incoming
    material      VARCHAR,                         -- incoming
    po            VARCHAR,                         -- incoming
    line          VARCHAR,                         -- in-process / final
    work_center   VARCHAR,
    product       VARCHAR,
    lot           VARCHAR,
    qty_inspected DOUBLE NOT NULL CHECK (qty_inspected > 0),
    qty_defective DOUBLE NOT NULL DEFAULT 0 CHECK (qty_defective >= 0),
    defect_type   VARCHAR,
    result        VARCHAR NOT NULL CHECK (result IN ('pending', 'pass', 'fail', 'hold')),
    first_pass    BOOLEAN NOT NULL DEFAULT TRUE,   -- FALSE for a re-inspection after rework
    inspector     VARCHAR,
    CHECK (qty_defective <= qty_inspected),
    CHECK (stage <> 'incoming' OR material IS NOT NULL),
    CHECK (stage = 'incoming' OR line IS NOT NULL)
);

-- ---------------------------------------------------------------- engineering
CREATE TABLE npi_projects (
    project     VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    product     VARCHAR,
    customer    VARCHAR,
    owner       VARCHAR,
    start_date  DATE NOT NULL,
    target_date DATE NOT NULL,
    status      VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_hold', 'done', 'cancelled')),
    CHECK (target_date >= start_date)
);

CREATE TABLE npi_milestones (
    project      VARCHAR NOT NULL,
    seq          INTEGER NOT NULL CHECK (seq > 0),
    milestone    VARCHAR NOT NULL,
    planned_date DATE NOT NULL,
    actual_date  DATE,
    owner        VARCHAR,
    PRIMARY KEY (project, seq)
);

CREATE TABLE drawings (
    drawing         VARCHAR NOT NULL,
    revision        VARCHAR NOT NULL,
    title           VARCHAR,
    product         VARCHAR,
    project         VARCHAR,
    planned_release DATE NOT NULL,
    actual_release  DATE,
    owner           VARCHAR,
    PRIMARY KEY (drawing, revision)
);

CREATE TABLE engineering_changes (
    ecn            VARCHAR PRIMARY KEY,
    title          VARCHAR NOT NULL,
    description    VARCHAR,
    reason         VARCHAR,
    created_date   DATE NOT NULL,
    effective_date DATE NOT NULL,
    status         VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'implemented', 'cancelled')),
    owner          VARCHAR,
    CHECK (effective_date >= created_date)
);

CREATE TABLE engineering_change_products (
    ecn     VARCHAR NOT NULL,
    product VARCHAR NOT NULL,
    PRIMARY KEY (ecn, product)
);

CREATE SEQUENCE seq_improvement START 1;
CREATE TABLE improvements (
    improvement_id       BIGINT PRIMARY KEY DEFAULT nextval('seq_improvement'),
    title                VARCHAR NOT NULL,
    kind                 VARCHAR NOT NULL CHECK (kind IN ('method', 'process')),
    work_center          VARCHAR,
    owner                VARCHAR,
    status               VARCHAR NOT NULL DEFAULT 'idea' CHECK (status IN ('idea', 'in_progress', 'done', 'dropped')),
    start_date           DATE,
    due_date             DATE,
    done_date            DATE,
    expected_hours_saved DOUBLE CHECK (expected_hours_saved >= 0),   -- per month
    actual_hours_saved   DOUBLE CHECK (actual_hours_saved >= 0)
);

-- ---------------------------------------------------------------- meeting
CREATE SEQUENCE seq_meeting START 1;
CREATE TABLE meetings (
    meeting_id   BIGINT PRIMARY KEY DEFAULT nextval('seq_meeting'),
    title        VARCHAR NOT NULL,
    meeting_date DATE NOT NULL,
    chair        VARCHAR NOT NULL,
    note_taker   VARCHAR,
    status       VARCHAR NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'running', 'closed')),
    started_at   TIMESTAMP,
    ended_at     TIMESTAMP,
    notes        VARCHAR,
    CHECK (ended_at IS NULL OR (started_at IS NOT NULL AND ended_at >= started_at)),
    CHECK (status <> 'closed' OR ended_at IS NOT NULL)
);

CREATE TABLE meeting_attendance (
    meeting_id BIGINT NOT NULL,
    person     VARCHAR NOT NULL,
    department VARCHAR,
    status     VARCHAR NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'absent', 'excused')),
    PRIMARY KEY (meeting_id, person)
);

-- agenda in the seed's order; section: actions, sales, pmc, purchasing, quality, engineering, decisions, close
CREATE TABLE agenda_items (
    meeting_id      BIGINT NOT NULL,
    seq             INTEGER NOT NULL CHECK (seq > 0),
    section         VARCHAR NOT NULL CHECK (section IN ('actions', 'sales', 'pmc', 'purchasing', 'quality', 'engineering', 'decisions', 'close')),
    minutes_planned DOUBLE NOT NULL CHECK (minutes_planned > 0),
    started_at      TIMESTAMP,
    ended_at        TIMESTAMP,
    PRIMARY KEY (meeting_id, seq)
);

CREATE SEQUENCE seq_decision START 1;
CREATE TABLE decisions (
    decision_id BIGINT PRIMARY KEY DEFAULT nextval('seq_decision'),
    meeting_id  BIGINT NOT NULL,
    section     VARCHAR NOT NULL,
    text        VARCHAR NOT NULL CHECK (length(trim(text)) > 0),
    decided_by  VARCHAR NOT NULL,
    decided_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_action START 1;
CREATE TABLE action_items (
    action_id        BIGINT PRIMARY KEY DEFAULT nextval('seq_action'),
    meeting_id       BIGINT,                        -- the meeting that raised it
    decision_id      BIGINT,
    section          VARCHAR NOT NULL,
    title            VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
    owner_department VARCHAR NOT NULL CHECK (owner_department IN ('sales', 'pmc', 'purchasing', 'quality', 'engineering')),
    owner            VARCHAR NOT NULL,
    due_date         DATE NOT NULL,
    status           VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'verified', 'cancelled')),
    result           VARCHAR,
    verifier         VARCHAR,
    verified_at      TIMESTAMP,
    cancel_reason    VARCHAR,
    created_at       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by       VARCHAR NOT NULL,
    done_at          TIMESTAMP,
    line_id          BIGINT,
    work_center      VARCHAR,
    supplier         VARCHAR,
    material         VARCHAR,
    CHECK (status NOT IN ('done', 'verified') OR (result IS NOT NULL AND done_at IS NOT NULL)),
    CHECK (status <> 'verified' OR (verifier IS NOT NULL AND verified_at IS NOT NULL)),
    CHECK (status <> 'cancelled' OR cancel_reason IS NOT NULL)
);

-- the meetings an action was discussed in (times discussed = count of rows)
CREATE TABLE action_discussions (
    action_id  BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    note       VARCHAR,
    new_due    DATE,
    PRIMARY KEY (action_id, meeting_id)
);

CREATE SEQUENCE seq_action_event START 1;
CREATE TABLE action_events (
    event_id    BIGINT PRIMARY KEY DEFAULT nextval('seq_action_event'),
    action_id   BIGINT NOT NULL,
    event_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username    VARCHAR NOT NULL,
    from_status VARCHAR,
    to_status   VARCHAR NOT NULL,
    note        VARCHAR
);

-- the KPI values shown when a meeting closed, frozen
CREATE TABLE snapshots (
    meeting_id BIGINT NOT NULL,
    section    VARCHAR NOT NULL,
    kpi        VARCHAR NOT NULL,
    value      DOUBLE,
    target     DOUBLE,
    unit       VARCHAR,
    PRIMARY KEY (meeting_id, kpi)
);

-- minutes and meeting pack as written at close, so a later download is byte-identical
CREATE TABLE meeting_documents (
    meeting_id BIGINT NOT NULL,
    kind       VARCHAR NOT NULL CHECK (kind IN ('minutes_md', 'minutes_pdf', 'pack_xlsx')),
    content    BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (meeting_id, kind)
);
