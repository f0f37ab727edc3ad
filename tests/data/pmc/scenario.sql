-- PMC scenario; period 2026-11-02 .. 2026-11-15 (ISO W45-W46), as_of 2026-11-25.
INSERT INTO work_centers VALUES ('WC1', 'Cutting', 'A', 8, 1), ('WC2', 'Welding', 'B', 8, 1);
INSERT INTO products (product, name, family) VALUES ('P1', 'Pump', 'F1'), ('P2', 'Valve', 'F2');
INSERT INTO production_plan VALUES
 ('2026-11-02', 'WC1', 'P1', 100), ('2026-11-03', 'WC1', 'P1', 100),
 ('2026-11-03', 'WC2', 'P2', 50),  ('2026-11-10', 'WC2', 'P2', 40);
INSERT INTO production_actual (date, work_center, product, qty_good, qty_scrap, hours_worked) VALUES
 ('2026-11-02', 'WC1', 'P1', 90, 1, 8), ('2026-11-03', 'WC1', 'P1', 110, 0, 8),
 ('2026-11-03', 'WC2', 'P2', 30, 2, 6), ('2026-11-04', 'WC2', 'P2', 20, 0, 4);
INSERT INTO downtime (date, work_center, hours, cause_category, reason, material) VALUES
 ('2026-11-03', 'WC1', 2, 'material', 'waiting for M1', 'M1'),
 ('2026-11-04', 'WC2', 1, 'machine',  'spindle',        NULL),
 ('2026-11-10', 'WC2', 3, 'material', 'waiting for M2', 'M2');
INSERT INTO suppliers VALUES ('S1', 'Steel Co'), ('S2', 'Second Source');
INSERT INTO materials (material, name, std_price, supplier) VALUES ('M1', 'Sheet', 10, 'S1');
INSERT INTO purchase_orders (po, supplier, material, qty, order_date, due_date, unit_price, status) VALUES
 ('PO1', 'S1', 'M1', 10, '2026-11-01', '2026-11-10', 12, 'open'),
 ('PO2', 'S2', 'M1', 5,  '2026-11-01', '2026-11-08', 9,  'closed'),
 ('PO3', 'S1', 'M1', 7,  '2026-11-01', '2026-11-20', 10, 'open');
INSERT INTO receipts (po, receipt_date, qty) VALUES
 ('PO1', '2026-11-05', 4), ('PO1', '2026-11-12', 6), ('PO2', '2026-11-06', 5);
INSERT INTO variance_notes (period_start, period_end, line, direction, cause_category, description, qty_impact,
                            countermeasure, owner, due_date, status) VALUES
 ('2026-11-02', '2026-11-08', 'A', 'behind', 'material', 'sheet late',   30,   'expedite', 'pat', '2026-11-12', 'open'),
 ('2026-11-09', '2026-11-15', 'B', 'behind', 'machine',  'spindle',      40,   'spare',    'max', '2026-11-14', 'done'),
 ('2026-11-02', '2026-11-08', 'B', 'behind', 'man',      'new operator', NULL, 'training', 'pat', '2026-11-30', 'open'),
 ('2026-10-01', '2026-10-07', 'A', 'behind', 'method',   'old',          99,   NULL,       NULL,  NULL,         'done'),
 ('2026-11-02', '2026-11-08', 'A', 'ahead',  'material', 'early stock',  10,   NULL,       NULL,  NULL,         'done');
INSERT INTO action_items (section, title, owner_department, owner, due_date, status, created_by) VALUES
 ('pmc', 'Find second source for M1', 'purchasing', 'pete', '2026-11-20', 'open', 'chair'),
 ('pmc', 'Own PMC action',            'pmc',        'pat',  '2026-11-20', 'open', 'chair');
INSERT INTO inspections (date, stage, supplier, material, line, work_center, product, lot, qty_inspected,
                         qty_defective, result, first_pass) VALUES
 ('2026-11-03', 'in_process', NULL, NULL, 'A', 'WC1', 'P1', 'L1', 100, 5, 'pass', TRUE),
 ('2026-11-04', 'final',      NULL, NULL, 'B', 'WC2', 'P2', 'L2', 50,  0, 'pass', TRUE),
 ('2026-11-05', 'incoming',   'S1', 'M1', NULL, NULL, NULL, 'L3', 20,  2, 'fail', TRUE),
 ('2026-11-06', 'in_process', NULL, NULL, 'A', 'WC1', 'P1', 'L1', 10,  1, 'pass', FALSE);
INSERT INTO drawings (drawing, revision, planned_release, actual_release) VALUES
 ('D1', 'A', '2026-11-05', '2026-11-04'), ('D2', 'A', '2026-11-10', '2026-11-12'),
 ('D3', 'A', '2026-11-20', NULL),         ('D4', 'A', '2026-12-01', NULL);
