-- Purchasing scenario, as of 2026-11-25; expected values are worked out in tests/test_purchasing.py
INSERT INTO suppliers VALUES ('S1', 'Steel One'), ('S2', 'Second Source'), ('S3', 'Third');
INSERT INTO customers VALUES ('C1', 'Acme'), ('C2', 'Bolt');
INSERT INTO materials (material, name, lead_days, std_price, supplier) VALUES
    ('M1', 'Sheet', 14, 10, 'S1'), ('M2', 'Screw', 7, 5, 'S2');
INSERT INTO products (product, name, family) VALUES ('A', 'Cabinet', 'F1'), ('B', 'Rack', 'F2');
INSERT INTO bom VALUES ('A', 'M1', 2), ('B', 'M2', 1), ('B', 'M1', 1);
INSERT INTO inventory VALUES ('M1', 30, 10), ('M2', 0, 0);
INSERT INTO purchase_orders (po, supplier, material, qty, order_date, due_date, unit_price, status) VALUES
    ('P1', 'S1', 'M1', 100, '2026-10-20', '2026-11-05', 11, 'closed'),
    ('P2', 'S1', 'M1',  50, '2026-11-01', '2026-11-10', 10, 'closed'),
    ('P3', 'S2', 'M2', 200, '2026-11-01', '2026-11-20',  6, 'open'),
    ('P4', 'S2', 'M2', 100, '2026-11-10', '2026-11-28',  4, 'open'),
    ('P5', 'S1', 'M1',  30, '2026-11-02', '2026-11-03', 99, 'cancelled'),
    ('P6', 'S2', 'M1',  10, '2026-10-01', '2026-10-15', 12, 'open');
INSERT INTO receipts (po, receipt_date, qty) VALUES
    ('P1', '2026-11-04', 60), ('P1', '2026-11-10', 40), ('P2', '2026-11-10', 50), ('P3', '2026-11-25', 100);
INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date, requested_date,
                         promised_date, shipped_qty, status) VALUES
    (1, 'O1', 1, 'C1', 'A', 10, '2026-11-01', '2026-11-30', '2026-11-30', 0, 'open'),
    (2, 'O2', 1, 'C2', 'A',  5, '2026-11-01', '2026-12-05', NULL,         0, 'open'),
    (3, 'O3', 1, 'C1', 'B',  8, '2026-11-01', '2026-12-01', '2026-12-01', 0, 'open'),
    (4, 'O4', 1, 'C2', 'B',  5, '2026-11-01', '2026-11-20', NULL,         5, 'closed'),
    (5, 'O5', 1, 'C1', 'A',  3, '2026-11-01', '2026-11-22', NULL,         0, 'cancelled');
INSERT INTO inspections (date, stage, supplier, material, qty_inspected, qty_defective, result, first_pass) VALUES
    ('2026-11-04', 'incoming', 'S1', 'M1', 60, 0, 'pass', TRUE),
    ('2026-11-10', 'incoming', 'S1', 'M1', 40, 0, 'pass', TRUE),
    ('2026-11-10', 'incoming', 'S1', 'M1', 50, 5, 'fail', TRUE),
    ('2026-11-12', 'incoming', 'S1', 'M1', 50, 0, 'pass', FALSE),
    ('2026-11-24', 'incoming', 'S1', 'M1', 10, 0, 'pending', TRUE),
    ('2026-11-25', 'incoming', 'S2', 'M2', 100, 2, 'hold', TRUE),
    ('2026-11-15', 'incoming', 'S3', 'M2', 20, 0, 'pass', TRUE);
INSERT INTO price_history VALUES
    ('M1', 'S1', '2026-10-01', 10.0), ('M1', 'S1', '2026-10-20', 11.0), ('M1', 'S1', '2026-11-10', 10.0),
    ('M2', 'S2', '2026-11-01', 6.0), ('M2', 'S2', '2026-11-10', 4.0);
-- P3's due date was pulled in after it was placed: a changed PO for the scorecard
INSERT INTO audit_log (username, action, table_name, row_key, column_name, old_value, new_value, source) VALUES
    ('buyer', 'update', 'purchase_orders', 'P3', 'due_date', '2026-11-27', '2026-11-20', 'form'),
    ('buyer', 'update', 'purchase_orders', 'P3', 'unit_price', '6.5', '6', 'form');
