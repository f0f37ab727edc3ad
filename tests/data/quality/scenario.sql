-- Quality scenario, as of 2026-11-25; expected values are worked out in tests/test_quality.py
INSERT INTO materials (material, name, std_price, supplier) VALUES ('M1', 'Sheet', 3, 'S2'), ('M2', 'Screw', 1, 'S1');
INSERT INTO products (product, name, family) VALUES ('A', 'Cabinet', 'F1'), ('B', 'Rack', 'F2');
INSERT INTO inventory VALUES ('M1', 100, 20), ('M2', 50, 0);
INSERT INTO inspections (inspection_id, date, stage, supplier, material, line, product, lot,
                         qty_inspected, qty_defective, defect_type, result, first_pass) VALUES
    ( 1, '2026-11-02', 'incoming',   'S1', 'M1', NULL, NULL, NULL,  10,  0, NULL,      'pass',    TRUE),
    ( 2, '2026-11-03', 'incoming',   'S1', 'M2', NULL, NULL, NULL,  10,  4, 'dent',    'fail',    TRUE),
    ( 3, '2026-11-05', 'incoming',   'S1', 'M2', NULL, NULL, NULL,  10,  0, NULL,      'pass',    FALSE),
    ( 4, '2026-11-06', 'incoming',   'S2', 'M1', NULL, NULL, 'L-9', 10,  2, 'rust',    'hold',    TRUE),
    ( 5, '2026-11-20', 'incoming',   'S2', 'M1', NULL, NULL, NULL,  10,  0, NULL,      'pass',    TRUE),
    ( 6, '2026-11-24', 'incoming',   'S2', 'M1', NULL, NULL, NULL,  10,  0, NULL,      'pending', TRUE),
    ( 7, '2026-10-15', 'incoming',   'S1', 'M1', NULL, NULL, NULL,  10,  1, 'dent',    'fail',    TRUE),
    ( 8, '2026-11-02', 'in_process', NULL, NULL, 'L1', 'A',  NULL, 100,  5, 'scratch', 'pass',    TRUE),
    ( 9, '2026-11-10', 'in_process', NULL, NULL, 'L1', 'A',  NULL, 100, 10, 'scratch', 'fail',    TRUE),
    (10, '2026-11-11', 'in_process', NULL, NULL, 'L1', 'A',  NULL,  10,  0, NULL,      'pass',    FALSE),
    (11, '2026-11-10', 'in_process', NULL, NULL, 'L2', 'B',  NULL,  50,  5, 'dent',    'pass',    TRUE),
    (15, '2026-11-13', 'in_process', NULL, NULL, 'L2', 'B',  NULL,  20,  2, NULL,      'pass',    TRUE),
    (12, '2026-11-12', 'final',      NULL, NULL, 'L1', 'A',  NULL, 200,  2, 'dent',    'pass',    TRUE),
    (13, '2026-11-20', 'final',      NULL, NULL, 'L2', 'B',  NULL,  30,  0, NULL,      'pending', TRUE),
    (14, '2026-11-27', 'final',      NULL, NULL, 'L1', 'A',  NULL,  30,  0, NULL,      'pending', TRUE);
INSERT INTO complaints (complaint, customer, product, received_date, category, description, cause_category,
                        d8_step, status, closed_date) VALUES
    ('Q1', 'C1', 'A', '2026-11-03', 'quality',  'burr on edge',   'material', 5, 'in_progress', NULL),
    ('Q2', 'C2', 'B', '2026-10-01', 'quality',  'wrong colour',   NULL,       2, 'open',        NULL),
    ('Q3', 'C1', 'A', '2026-10-05', 'quality',  'loose screw',    'method',   8, 'closed',      '2026-11-10'),
    ('Q4', 'C1', 'A', '2026-09-01', 'quality',  'old, closed',    'man',      8, 'closed',      '2026-09-20'),
    ('Q5', 'C1', 'A', '2026-11-04', 'delivery', 'late delivery',  NULL,       0, 'open',        NULL);
