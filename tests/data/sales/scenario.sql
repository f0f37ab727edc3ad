-- Sales scenario around as_of 2026-11-25 (Wednesday); period 2026-11-02 .. 2026-11-22 (ISO W45-W47).
INSERT INTO products (product, name, family, unit_price) VALUES ('P1', 'Pump', 'F1', 10), ('P2', 'Valve', 'F2', 20);
INSERT INTO customers VALUES ('C1', 'Acme'), ('C2', 'Bolt'), ('C3', 'Crane');
INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, unit_price, order_date, requested_date,
                         promised_date, shipped_qty, status) VALUES
 (1, 'SO1', 1, 'C1', 'P1', 10, NULL, '2026-11-02', '2026-11-10', '2026-11-12', 10, 'closed'),
 (2, 'SO1', 2, 'C1', 'P2',  5, 30,   '2026-11-03', '2026-11-13', '2026-11-13',  3, 'open'),
 (3, 'SO2', 1, 'C2', 'P1',  4, NULL, '2026-11-10', '2026-11-16', NULL,          4, 'closed'),
 (4, 'SO2', 2, 'C2', 'P2',  8, NULL, '2026-11-16', '2026-11-20', '2026-11-27',  0, 'open'),
 (5, 'SO3', 1, 'C3', 'P1',  2, NULL, '2026-11-17', '2026-11-19', '2026-11-19',  0, 'cancelled'),
 (6, 'SO3', 2, 'C3', 'P1',  6, NULL, '2026-10-20', '2026-11-18', '2026-11-18',  0, 'open');
INSERT INTO shipments (line_id, ship_date, qty) VALUES
 (1, '2026-11-12', 10), (2, '2026-11-13', 3), (3, '2026-11-18', 4);
INSERT INTO promise_history (line_id, promised_date, promised_at, promised_by, source) VALUES
 (1, '2026-11-09', '2026-11-02 09:00', 'ann', 'ctp'),
 (1, '2026-11-12', '2026-11-05 10:00', 'ann', 'change'),
 (2, '2026-11-13', '2026-11-03 09:00', 'ann', 'ctp'),
 (4, '2026-11-27', '2026-11-16 09:00', 'ann', 'ctp'),
 (6, '2026-11-15', '2026-10-20 09:00', 'ann', 'ctp'),
 (6, '2026-11-18', '2026-11-10 09:00', 'ann', 'change');
INSERT INTO order_changes (line_id, source, kind, requested_date, status, load_impact_hours) VALUES
 (4, 'external', 'date',     '2026-11-16', 'open',     5),
 (2, 'internal', 'material', '2026-11-10', 'accepted', -2),
 (1, 'external', 'qty',      '2026-11-05', 'done',     3),
 (6, 'external', 'date',     '2026-10-25', 'done',     1);
INSERT INTO complaints (complaint, customer, received_date, category, description, status, closed_date) VALUES
 ('Q1', 'C1', '2026-11-03', 'quality',   'scratches',     'closed', '2026-11-13'),
 ('Q2', 'C1', '2026-11-10', 'delivery',  'late',          'open',   NULL),
 ('Q3', 'C2', '2026-10-20', 'quality',   'wrong colour',  'closed', '2026-11-04'),
 ('Q4', 'C2', '2026-10-01', 'packaging', 'box torn',      'open',   NULL),
 ('Q5', 'C3', '2026-10-01', 'service',   'rude',          'closed', '2026-10-10');
