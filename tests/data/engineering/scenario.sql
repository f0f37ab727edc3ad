-- Engineering scenario, as of 2026-11-25; expected values are worked out in tests/test_engineering.py
INSERT INTO products (product, name, family) VALUES ('A', 'Cabinet', 'F1'), ('B', 'Rack', 'F2'), ('C', 'Shelf', 'F1');
INSERT INTO work_centers VALUES ('WC1', 'Drill', 'L1', 8, 1), ('WC2', 'Press', 'L2', 8, 1);
INSERT INTO npi_projects (project, name, product, customer, start_date, target_date, status) VALUES
    ('N1', 'Cabinet v2', 'A', 'C1', '2026-10-01', '2026-12-31', 'active'),
    ('N2', 'Rack mini',  'B', 'C2', '2026-09-01', '2026-11-15', 'done'),
    ('N3', 'Dropped',    'A', 'C1', '2026-10-01', '2026-12-31', 'cancelled'),
    ('N4', 'Old one',    'A', 'C1', '2026-01-01', '2026-03-01', 'done');
INSERT INTO npi_milestones (project, seq, milestone, planned_date, actual_date) VALUES
    ('N1', 1, 'Design',    '2026-10-20', '2026-10-18'),
    ('N1', 2, 'Prototype', '2026-11-10', '2026-11-12'),
    ('N1', 3, 'Pilot run', '2026-11-20', NULL),
    ('N1', 4, 'SOP',       '2026-12-10', NULL),
    ('N2', 1, 'Design',    '2026-09-20', '2026-09-20'),
    ('N2', 2, 'Release',   '2026-11-05', '2026-11-05'),
    ('N3', 1, 'X',         '2026-11-15', NULL),
    ('N4', 1, 'A',         '2026-02-01', '2026-02-01');
INSERT INTO drawings (drawing, revision, product, planned_release, actual_release) VALUES
    ('D1', 'A', 'A', '2026-11-05', '2026-11-04'),
    ('D2', 'A', 'A', '2026-11-10', '2026-11-12'),
    ('D3', 'A', 'B', '2026-11-20', NULL),
    ('D4', 'B', 'B', '2026-12-01', NULL),
    ('D5', 'A', 'A', '2026-12-20', NULL),
    ('D6', 'A', 'B', '2026-10-10', '2026-10-30');
INSERT INTO engineering_changes (ecn, title, created_date, effective_date, status) VALUES
    ('E1', 'Thicker sheet', '2026-11-01', '2026-12-01', 'approved'),
    ('E2', 'Label',         '2026-10-01', '2026-10-15', 'implemented'),
    ('E3', 'Cancelled',     '2026-11-01', '2026-11-02', 'cancelled'),
    ('E4', 'New paint',     '2026-11-20', '2026-11-30', 'open');
INSERT INTO engineering_change_products VALUES ('E1', 'A'), ('E2', 'A'), ('E2', 'B'), ('E3', 'A'), ('E4', 'B');
INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date, requested_date,
                         promised_date, shipped_qty, status) VALUES
    (1, 'O1', 1, 'C1', 'A', 10, '2026-11-01', '2026-12-05', '2026-12-05', 4, 'open'),
    (2, 'O2', 1, 'C2', 'A',  5, '2026-11-01', '2026-11-28', NULL,         0, 'open'),
    (3, 'O3', 1, 'C1', 'B',  8, '2026-11-01', '2026-12-01', NULL,         8, 'closed'),
    (4, 'O4', 1, 'C2', 'C',  3, '2026-11-01', '2026-12-01', NULL,         0, 'open');
INSERT INTO improvements (improvement_id, title, kind, work_center, status, due_date, done_date,
                          expected_hours_saved, actual_hours_saved) VALUES
    (1, 'Jig for drilling', 'method',  'WC1', 'in_progress', '2026-11-20', NULL,         20, NULL),
    (2, 'SMED on press',    'process', 'WC2', 'in_progress', '2026-12-15', NULL,         30, NULL),
    (3, 'Kanban',           'method',  'WC1', 'done',        '2026-11-05', '2026-11-10', 10, 12),
    (4, 'Old done',         'process', 'WC2', 'done',        '2026-08-01', '2026-09-01',  5, 5),
    (5, 'Idea',             'method',  NULL,  'idea',        NULL,         NULL,          8, NULL),
    (6, 'Dropped',          'method',  'WC1', 'dropped',     NULL,         NULL,          3, NULL),
    (7, 'Done, unmeasured', 'process', 'WC2', 'done',        NULL,         '2026-11-15',  6, NULL);
