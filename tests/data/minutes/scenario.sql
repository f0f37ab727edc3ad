-- Minutes scenario, as of Monday 2026-11-23; expected values are worked out in tests/test_minutes.py.
-- DESIGN.md's worked example of the planned load: one work center of 8 h a day, four lines of one
-- 8 h step (lead 1 day), all due Wednesday 11-25: O1 takes Wednesday, O2 Tuesday, O3 Monday, and
-- O4 goes forward and finishes Thursday 11-26, 1 day late. Required load: all 32 h on Wednesday.
INSERT INTO users (username, display_name, role, department) VALUES
    ('zhang', 'Zhang Wei', 'chair', NULL), ('li', 'Li Na', 'head', 'pmc'),
    ('qc', 'Chen Jing', 'head', 'quality'), ('eng', 'Zhao Lei', 'head', 'engineering');
INSERT INTO customers VALUES ('C1', 'Acme');
INSERT INTO suppliers VALUES ('S1', 'Steel One');
INSERT INTO products (product, name, family) VALUES ('A', 'Cabinet', 'F1');
INSERT INTO work_centers VALUES ('W1', 'Press', 'L1', 8, 1);
INSERT INTO routings (product, step, work_center, setup_hours, run_hours_per_unit, lead_days) VALUES
    ('A', 10, 'W1', 0, 8, 1);
INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date, requested_date,
                         promised_date, shipped_qty, status) VALUES
    (1, 'O1', 1, 'C1', 'A', 1, '2026-11-01', '2026-11-25', NULL, 0, 'open'),
    (2, 'O2', 1, 'C1', 'A', 1, '2026-11-01', '2026-11-25', NULL, 0, 'open'),
    (3, 'O3', 1, 'C1', 'A', 1, '2026-11-01', '2026-11-25', NULL, 0, 'open'),
    (4, 'O4', 1, 'C1', 'A', 1, '2026-11-01', '2026-11-25', NULL, 0, 'open');
-- no stock of M1: every line is short of it, and P1 (due 11-20, nothing received) is 3 days late
INSERT INTO materials (material, name, lead_days, std_price, supplier) VALUES ('M1', 'Sheet', 14, 10, 'S1');
INSERT INTO bom VALUES ('A', 'M1', 1);
INSERT INTO purchase_orders (po, supplier, material, qty, order_date, due_date, unit_price, status) VALUES
    ('P1', 'S1', 'M1', 10, '2026-11-02', '2026-11-20', 12.5, 'open');
INSERT INTO complaints (complaint, customer, received_date, category, description, severity, status, owner) VALUES
    ('K1', 'C1', '2026-11-10', 'quality', 'scratches on the door', 'major', 'open', 'qc');
INSERT INTO npi_projects (project, name, product, customer, start_date, target_date, status) VALUES
    ('N1', 'Cabinet v2', 'A', 'C1', '2026-10-01', '2026-12-31', 'active');
INSERT INTO npi_milestones (project, seq, milestone, owner, planned_date, actual_date) VALUES
    ('N1', 1, 'Design', 'eng', '2026-11-10', '2026-11-12'),
    ('N1', 2, 'Pilot run', 'eng', '2026-11-30', NULL);
