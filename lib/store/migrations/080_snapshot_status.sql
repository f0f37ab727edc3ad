-- What each KPI looked like when a meeting closed, beyond its value: the status colour by the
-- one rule (lib.sections.kpi: ok / warn / bad / none), the detail line ("1 overdue now") and the
-- period it measured (partial: the period ran to that day, the figure was "to date").
ALTER TABLE snapshots ADD COLUMN status VARCHAR;
ALTER TABLE snapshots ADD COLUMN detail VARCHAR;
ALTER TABLE snapshots ADD COLUMN period_start DATE;
ALTER TABLE snapshots ADD COLUMN period_end DATE;
ALTER TABLE snapshots ADD COLUMN partial BOOLEAN;
